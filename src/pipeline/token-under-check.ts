// The request-scoped record the steps after claim checks share, instead of each taking the
// request, the token, its decoded and checked parts, the config snapshot and the clock one by one.
import type { GateConfig } from '../config/gate-config.js';
import type { CheckedClaims } from './check-claims.js';
import type { DecodedToken } from './decode-token.js';
import type { CompactToken } from './extract-token.js';
import type { WebhookRequest } from './webhook-request.js';

export interface TokenUnderCheck {
  readonly request: WebhookRequest;
  /** The snapshot read once as the request arrived; a reload never changes it midway. */
  readonly config: GateConfig;
  readonly framed: CompactToken;
  readonly decoded: DecodedToken;
  readonly checked: CheckedClaims;
  /** The injected clock, read once for claim checks and again (after the key wait) for jose. */
  readonly now: () => number;
}
