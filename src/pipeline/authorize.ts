// The whole decision, top to bottom: framing -> decode -> issuer policy and claims -> key ->
// signature -> webhook headers. Every step returns a Deny or hands on; cheap, local checks come
// first so bad tokens cost no key lookup. Cached keys resolve synchronously, so the only promise
// hop left on the hot path is jose's signature check.
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import type { KeyAnswer, KeyLookup, KeyQuery } from '../issuers/key-lookup.js';
import { checkClaims } from './check-claims.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import { decodeToken } from './decode-token.js';
import { deny, isDeny, type Decision } from './decision.js';
import { extractToken } from './extract-token.js';
import { headersToRemove } from './headers-to-remove.js';
import { keyDecision } from './key-decision.js';
import type { StepTracer } from './step-tracer.js';
import type { TokenUnderCheck } from './token-under-check.js';
import { verifyToken } from './verify-token.js';
import type { WebhookRequest } from './webhook-request.js';

export interface AuthorizeDeps {
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
  const finish = (found: KeyAnswer): Promise<Decision> => verifyAndDecide(token, found, tracer);
  return answer instanceof Promise ? answer.then(finish) : finish(answer);
}

const keyLookupOutcome = (answer: KeyAnswer): { 'pps_gate.key': string } => ({
  'pps_gate.key': answer.kind,
});

async function verifyAndDecide(
  token: TokenUnderCheck,
  answer: KeyAnswer,
  tracer: StepTracer | undefined,
): Promise<Decision> {
  const key = keyDecision(answer);
  if (isDeny(key)) return key;
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
  const { request, checked, decoded, framed } = token;
  const webhook = checkWebhookHeaders(request);
  if (isDeny(webhook)) return { ...webhook, issuer: checked.policy.issuer };
  return {
    allowed: true,
    identity: {
      issuer: checked.policy.issuer,
      subject: checked.subject,
      audience: checked.audience,
      claims: decoded.claims,
      encodedClaims: framed.payload,
    },
    webhook,
    headersToRemove: headersToRemove(request.headers, checked.policy.forwardToken),
  };
}
