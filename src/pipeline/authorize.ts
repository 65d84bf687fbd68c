// The whole decision, top to bottom: framing -> decode -> issuer policy and claims -> key ->
// signature -> webhook headers. Every step returns a Deny or hands on; cheap, local checks come
// first so bad tokens cost no key lookup. Cached keys resolve synchronously, so the only promise
// hop left on the hot path is jose's signature check.
import type { GateConfig } from '../config/gate-config.js';
import type { KeyLookup } from '../issuers/issuer-keys.js';
import type { IssuerPolicy } from '../config/gate-config.js';
import { checkClaims, type CheckedClaims } from './check-claims.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import { decodeToken, type DecodedToken } from './decode-token.js';
import { deny, isDeny, type Decision } from './decision.js';
import { extractToken } from './extract-token.js';
import { verifyToken } from './verify-token.js';
import type { WebhookRequest } from './webhook-request.js';

export interface KeyResolver {
  resolve(
    policy: IssuerPolicy,
    kid: string,
    issuedAt: number | undefined,
    receivedAtMs: number,
    skewMs: number,
  ): KeyLookup | Promise<KeyLookup>;
}

export interface AuthorizeDeps {
  /** The config snapshot; read once per request, so a reload never changes a request midway. */
  readonly config: () => GateConfig;
  /** False only while the API config source waits for its first ConfigMap: 503, retry. */
  readonly hasConfig?: () => boolean;
  readonly keys: KeyResolver;
  readonly now: () => number;
}

export function authorize(
  request: WebhookRequest,
  deps: AuthorizeDeps,
): Decision | Promise<Decision> {
  if (deps.hasConfig?.() === false)
    return deny('config_unavailable', 'no config loaded yet', { retryAfterSeconds: 1 });
  const config = deps.config();
  const framed = extractToken(request.headers.authorization, config.maxTokenBytes);
  if (isDeny(framed)) return framed;
  const decoded = decodeToken(framed);
  if (isDeny(decoded)) return decoded;
  const checked = checkClaims(decoded, config, deps.now());
  if (isDeny(checked)) return checked;
  const key = deps.keys.resolve(
    checked.policy,
    decoded.kid,
    checked.issuedAt,
    request.receivedAtMs,
    config.clockSkewSeconds * 1000,
  );
  const finish = (lookup: KeyLookup): Promise<Decision> =>
    verifyAndDecide(request, framed.token, framed.payload, decoded, checked, lookup, config, deps);
  return key instanceof Promise ? key.then(finish) : finish(key);
}

async function verifyAndDecide(
  request: WebhookRequest,
  token: string,
  encodedClaims: string,
  decoded: DecodedToken,
  checked: CheckedClaims,
  key: KeyLookup,
  config: GateConfig,
  deps: AuthorizeDeps,
): Promise<Decision> {
  if (isDeny(key)) return key;
  const rejected = await verifyToken(token, decoded.alg, key, checked, config, deps.now());
  if (rejected !== undefined) return rejected;
  const webhook = checkWebhookHeaders(request);
  if (isDeny(webhook)) return { ...webhook, issuer: checked.policy.issuer };
  return {
    allowed: true,
    identity: {
      issuer: checked.policy.issuer,
      subject: checked.subject,
      audience: checked.audience,
      claims: decoded.claims,
      encodedClaims: encodedClaims,
    },
    webhook,
    forwardToken: checked.policy.forwardToken,
  };
}
