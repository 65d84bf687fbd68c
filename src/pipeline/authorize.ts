// The whole decision, top to bottom: framing -> decode -> issuer policy and claims (with the
// issuer's token rules) -> key -> signature -> webhook headers -> the issuer's webhook policy ->
// replay guard -> duplicate deliveries. Every step returns a Deny or hands on; cheap, local
// checks come first so bad tokens cost no key lookup. Cached keys resolve synchronously, so the
// only promise hops left on the hot path are jose's signature check and the shared stores.
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import type { KeyAnswer, KeyLookup, KeyQuery } from '../issuers/key-lookup.js';
import { checkClaims } from './check-claims.js';
import { decideWebhook, type WebhookDeps } from './decide-webhook.js';
import { decodeToken } from './decode-token.js';
import { deny, isDeny, type Decision } from './decision.js';
import { extractToken } from './extract-token.js';
import { keyDecision } from './key-decision.js';
import type { StepTracer } from './step-tracer.js';
import type { TokenUnderCheck } from './token-under-check.js';
import { verifyToken } from './verify-token.js';
import type { WebhookRequest } from './webhook-request.js';

export interface AuthorizeDeps extends WebhookDeps {
  /** Read once per request; undefined only while the API source waits for its first ConfigMap. */
  readonly config: Pick<ConfigSnapshot, 'current'>;
  readonly keys: KeyLookup;
  readonly now: () => number;
  /** Spans for key lookup and signature verification; absent (and free) when tracing is off. */
  readonly tracer?: StepTracer;
}

export function authorize(
  request: WebhookRequest,
  deps: AuthorizeDeps,
): Decision | Promise<Decision> {
  const config = deps.config.current();
  if (config === undefined)
    return deny('config_unavailable', 'no config loaded yet', { retryAfterSeconds: 1 });
  const framed = extractToken(request.headers.authorization, config.maxTokenBytes);
  if (isDeny(framed)) return framed;
  const decoded = decodeToken(framed);
  if (isDeny(decoded)) return decoded;
  const checked = checkClaims(decoded, config, deps.now());
  if (isDeny(checked)) return checked;
  const token: TokenUnderCheck = { request, config, framed, decoded, checked, now: deps.now };
  const query: KeyQuery = {
    issuer: checked.policy.issuer,
    kid: decoded.kid,
    issuedAt: checked.issuedAt,
    receivedAtMs: request.receivedAtMs,
    skewMs: config.clockSkewSeconds * 1000,
  };
  const { tracer } = deps;
  const answer =
    tracer === undefined
      ? deps.keys.resolve(query)
      : tracer.inSpan(
          'key lookup',
          { 'pps_gate.issuer': query.issuer },
          () => deps.keys.resolve(query),
          keyLookupOutcome,
        );
  const finish = (found: KeyAnswer): Promise<Decision> => verifyAndDecide(token, found, deps);
  return answer instanceof Promise ? answer.then(finish) : finish(answer);
}

const keyLookupOutcome = (answer: KeyAnswer): { 'pps_gate.key': string } => ({
  'pps_gate.key': answer.kind,
});

async function verifyAndDecide(
  token: TokenUnderCheck,
  answer: KeyAnswer,
  deps: AuthorizeDeps,
): Promise<Decision> {
  const key = keyDecision(answer);
  if (isDeny(key)) return key;
  const { tracer } = deps;
  const rejected =
    tracer === undefined
      ? await verifyToken(token, key)
      : await tracer.inSpan(
          'verify signature',
          { 'pps_gate.alg': token.decoded.alg },
          () => verifyToken(token, key),
          (denied) => ({ 'pps_gate.verified': denied === undefined }),
        );
  if (rejected !== undefined) return rejected;
  return decideWebhook(token, deps);
}
