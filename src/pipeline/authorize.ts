// The whole decision, top to bottom: framing -> decode -> issuer policy and claims (with the
// issuer's token rules) -> [verified-token cache] -> key -> signature -> webhook headers -> the
// issuer's webhook policy -> replay guard -> duplicate deliveries. Every step returns a Deny or
// hands on; cheap, local checks come first so bad tokens cost no key lookup. The signature is
// checked synchronously by node:crypto, and a token verified before (the same string, same key)
// skips framing, decoding and the signature; promise hops remain only for a key fetch and the
// Redis-backed replay and delivery stores.
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import type { GateConfig } from '../config/gate-config.js';
import type { KeyAnswer, KeyLookup, KeyQuery } from '../issuers/key-lookup.js';
import { checkClaims, type CheckedClaims } from './check-claims.js';
import { decideWebhook, type WebhookDeps } from './decide-webhook.js';
import { decodeToken } from './decode-token.js';
import { deny, isDeny, type Decision, type Deny, type VerifiedIdentity } from './decision.js';
import { extractToken } from './extract-token.js';
import { keyDecision } from './key-decision.js';
import type { StepTracer } from './step-tracer.js';
import type { TokenUnderCheck } from './token-under-check.js';
import { VerifiedTokens, type VerifiedToken } from './verified-tokens.js';
import { verifyToken } from './verify-token.js';
import type { WebhookRequest } from './webhook-request.js';

export interface AuthorizeDeps extends WebhookDeps {
  /** Read once per request; undefined only while the API source waits for its first ConfigMap. */
  readonly config: Pick<ConfigSnapshot, 'current'>;
  readonly keys: KeyLookup;
  readonly now: () => number;
  /** Spans for key lookup and signature verification; absent (and free) when tracing is off. */
  readonly tracer?: StepTracer;
  /** Tokens that verified before; absent: every token is verified every time. */
  readonly verifiedTokens?: VerifiedTokens;
}

export function authorize(
  request: WebhookRequest,
  deps: AuthorizeDeps,
): Decision | Promise<Decision> {
  const config = deps.config.current();
  if (config === undefined)
    return deny('config_unavailable', 'no config loaded yet', { retryAfterSeconds: 1 });
  const nowMs = deps.now();
  const { authorization } = request.headers;
  // A reused token (the normal case: a sender signs one and reuses it for an hour) is looked up
  // before framing; the cache keeps its framed and decoded parts, pure functions of the string.
  const bearer = VerifiedTokens.bearerToken(authorization);
  const cached =
    bearer === undefined || bearer.length > config.maxTokenBytes
      ? undefined
      : deps.verifiedTokens?.lookup(bearer, nowMs);
  if (cached !== undefined) return fromCache(cached, { request, config, nowMs }, deps);
  const framed = extractToken(authorization, config.maxTokenBytes);
  if (isDeny(framed)) return framed;
  // `bearer`, when set, frames to this very string and has just missed: not asked twice.
  if (bearer === undefined) {
    const late = deps.verifiedTokens?.lookup(framed.token, nowMs);
    if (late !== undefined) return fromCache(late, { request, config, nowMs }, deps);
  }
  const decoded = decodeToken(framed);
  if (isDeny(decoded)) return decoded;
  const checked = checkClaims(decoded, config, nowMs);
  if (isDeny(checked)) return checked;
  return lookUpKey({ request, config, framed, decoded, checked, now: deps.now }, undefined, deps);
}

/** The request as it arrived: the config snapshot and the clock read once for it. */
interface Arrival {
  readonly request: WebhookRequest;
  readonly config: GateConfig;
  readonly nowMs: number;
}

/**
 * A token that verified before: its claim checks stand as they were while the config snapshot is
 * the same one and the clock is inside the window they hold for; otherwise they run again.
 */
function fromCache(
  cached: VerifiedToken,
  { request, config, nowMs }: Arrival,
  deps: AuthorizeDeps,
): Decision | Promise<Decision> {
  const last = cached.lastClaims;
  let checked: CheckedClaims | Deny;
  if (
    last.config === config &&
    nowMs >= last.checked.validFromMs &&
    nowMs <= last.checked.validUntilMs
  )
    checked = last.checked;
  else {
    checked = checkClaims(cached.decoded, config, nowMs);
    if (isDeny(checked)) return checked;
  }
  const { framed, decoded } = cached;
  return lookUpKey({ request, config, framed, decoded, checked, now: deps.now }, cached, deps);
}

function lookUpKey(
  token: TokenUnderCheck,
  cached: VerifiedToken | undefined,
  deps: AuthorizeDeps,
): Decision | Promise<Decision> {
  const { checked, decoded, config, request } = token;
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
  if (!(answer instanceof Promise)) return verifyAndDecide(token, answer, cached, deps);
  // Time passed while the keys were fetched: the claims are judged again at the new now.
  return answer.then((found) => {
    const late = checkClaims(decoded, config, deps.now());
    return isDeny(late) ? late : verifyAndDecide({ ...token, checked: late }, found, cached, deps);
  });
}

const keyLookupOutcome = (answer: KeyAnswer): { 'pps_gate.key': string } => ({
  'pps_gate.key': answer.kind,
});

function verifyAndDecide(
  token: TokenUnderCheck,
  answer: KeyAnswer,
  cached: VerifiedToken | undefined,
  deps: AuthorizeDeps,
): Decision | Promise<Decision> {
  const key = keyDecision(answer);
  if (isDeny(key)) return key;
  const { checked } = token;
  // A hit skips the signature only for the very key object that verified it: a key that left
  // the set, or a refetch that changed it, sends the token through verification again.
  if (cached !== undefined && cached.key === key && cached.identity.audience === checked.audience) {
    if (cached.lastClaims.checked !== checked)
      cached.lastClaims = { config: token.config, checked };
    return decideWebhook(token, deps, cached.identity);
  }
  const { tracer } = deps;
  const rejected =
    tracer === undefined
      ? verifyToken(token, key)
      : tracer.inSpan(
          'verify signature',
          { 'pps_gate.alg': token.decoded.alg },
          () => verifyToken(token, key),
          (denied) => ({ 'pps_gate.verified': denied === undefined }),
        );
  if (rejected !== undefined) return rejected;
  const identity = verifiedIdentity(token);
  deps.verifiedTokens?.remember(token, key, identity);
  return decideWebhook(token, deps, identity);
}

function verifiedIdentity({ checked, decoded, framed }: TokenUnderCheck): VerifiedIdentity {
  return {
    issuer: checked.policy.issuer,
    subject: checked.subject,
    audience: checked.audience,
    claims: decoded.claims,
    encodedClaims: framed.payload,
  };
}
