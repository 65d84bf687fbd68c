// The JSON body both transports send on deny: the public message (or public detail) and the
// stable reason code, never the private detail.
import { REASONS } from '../errors/reasons.js';
import type { Deny } from '../pipeline/decision.js';

export function denyBody(decision: Deny): string {
  const error = decision.publicDetail ?? REASONS[decision.reason].message;
  return JSON.stringify({ error, reason: decision.reason });
}
