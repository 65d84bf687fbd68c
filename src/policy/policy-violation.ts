// What a failed policy rule reports: its stable reason code and private detail for the logs.
// The pipeline turns it into a Deny; the rules themselves know nothing of decisions.
import type { Reason } from '../errors/reasons.js';

export interface PolicyViolation {
  readonly reason: Reason;
  readonly detail: string;
}

export const violation = (reason: Reason, detail: string): PolicyViolation => ({ reason, detail });
