// The whole decision, top to bottom: framing -> decode -> issuer policy and claims -> [verified
// token cache] -> key -> signature -> webhook headers. Every step returns a Deny or hands on;
// cheap, local checks come first so bad tokens cost no key lookup. Everything is synchronous
// unless the key cache has to fetch: the signature is checked by node:crypto in place, and a
// token verified before (the same string, same key) skips the signature altogether.
import type { ConfigSnapshot } from '../config/config-snapshot.js';
import type { KeyAnswer, KeyLookup } from '../issuers/key-lookup.js';
import { checkClaims } from './check-claims.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import { decodeToken } from './decode-token.js';
import { deny, isDeny, type Decision, type VerifiedIdentity } from './decision.js';
import { extractToken } from './extract-token.js';
import { headersToRemove } from './headers-to-remove.js';
import { keyDecision } from './key-decision.js';
import type { TokenUnderCheck } from './token-under-check.js';
import type { VerifiedToken, VerifiedTokens } from './verified-tokens.js';
import { verifyToken } from './verify-token.js';
import type { WebhookRequest } from './webhook-request.js';

export interface AuthorizeDeps {
  /** Read once per request; undefined only while the API source waits for its first ConfigMap. */
  readonly config: Pick<ConfigSnapshot, 'current'>;
  readonly keys: KeyLookup;
  readonly now: () => number;
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
  const framed = extractToken(request.headers.authorization, config.maxTokenBytes);
  if (isDeny(framed)) return framed;
  const nowMs = deps.now();
  // Decoding is a pure function of the token string, so a cached token's decoded parts stand in.
  const cached = deps.verifiedTokens?.lookup(framed.token, nowMs);
  const decoded = cached?.decoded ?? decodeToken(framed);
  if (isDeny(decoded)) return decoded;
  const checked = checkClaims(decoded, config, nowMs);
  if (isDeny(checked)) return checked;
  const token: TokenUnderCheck = { request, config, framed, decoded, checked, now: deps.now };
  const answer = deps.keys.resolve({
    issuer: checked.policy.issuer,
    kid: decoded.kid,
    issuedAt: checked.issuedAt,
    receivedAtMs: request.receivedAtMs,
    skewMs: config.clockSkewSeconds * 1000,
  });
  if (!(answer instanceof Promise)) return verifyAndDecide(token, answer, cached, deps);
  // Time passed while the keys were fetched: the claims are judged again at the new now.
  return answer.then((found) => {
    const late = checkClaims(decoded, config, deps.now());
    return isDeny(late) ? late : verifyAndDecide(token, found, cached, deps);
  });
}

function verifyAndDecide(
  token: TokenUnderCheck,
  answer: KeyAnswer,
  cached: VerifiedToken | undefined,
  deps: AuthorizeDeps,
): Decision {
  const key = keyDecision(answer);
  if (isDeny(key)) return key;
  const { request, checked, decoded, framed } = token;
  let identity: VerifiedIdentity;
  // A hit skips the signature only for the very key object that verified it: a key that left
  // the set, or a refetch that changed it, sends the token through verification again.
  if (cached !== undefined && cached.key === key && cached.identity.audience === checked.audience) {
    identity = cached.identity;
  } else {
    const rejected = verifyToken(token, key);
    if (rejected !== undefined) return rejected;
    identity = {
      issuer: checked.policy.issuer,
      subject: checked.subject,
      audience: checked.audience,
      claims: decoded.claims,
      encodedClaims: framed.payload,
    };
    deps.verifiedTokens?.remember(token, key, identity);
  }
  const webhook = checkWebhookHeaders(request);
  if (isDeny(webhook)) return { ...webhook, issuer: checked.policy.issuer };
  return {
    allowed: true,
    identity,
    webhook,
    headersToRemove: headersToRemove(request.headers, checked.policy.forwardToken),
  };
}
