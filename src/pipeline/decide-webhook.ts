// The steps after the signature holds: webhook headers -> the issuer's webhook policy -> replay
// guard -> duplicate deliveries -> Allow (identity, claim headers, dedup headers, what upstream
// must not see). None of this is ever cached: it depends on the request's own headers and, for
// the replay guard and dedup, on what came before.
import { claimHeaders } from '../policy/claim-headers.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { checkReplay } from './check-replay.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import { checkWebhookPolicy } from './check-webhook-policy.js';
import { dedupDelivery, type DeliveryDeps } from './dedup-delivery.js';
import { deliveryHeaders } from './delivery-headers.js';
import { deny, isDeny, type Decision, type VerifiedIdentity } from './decision.js';
import { headersToRemove } from './headers-to-remove.js';
import type { TokenUnderCheck } from './token-under-check.js';

export interface WebhookDeps {
  /** The replay guard's seen-jti store; needed once an issuer sets `replay: jti`. */
  readonly replay?: (() => ReplayStore | undefined) | undefined;
  /** Duplicate deliveries; absent: no dedup step (library use, unit tests). */
  readonly deliveries?: DeliveryDeps | undefined;
}

const NO_CLAIM_HEADERS: readonly (readonly [string, string])[] = Object.freeze([]);

/** `identity`: the verified token's, built once per verification (a cached token reuses its own). */
export async function decideWebhook(
  token: TokenUnderCheck,
  deps: WebhookDeps,
  identity: VerifiedIdentity,
): Promise<Decision> {
  const { request, checked, decoded, config } = token;
  const { policy } = checked;
  const { issuer, rules } = policy;
  const webhook = checkWebhookHeaders(request);
  if (isDeny(webhook)) return { ...webhook, issuer };
  const refused = checkWebhookPolicy({
    rules,
    issuer,
    claims: decoded.claims,
    webhook,
    skewSeconds: config.clockSkewSeconds,
    nowMs: token.now(),
  });
  if (refused !== undefined) return refused;
  if (rules.replay !== undefined) {
    // The gate opens a store with its first config, so only a wiring bug finds none.
    const store = deps.replay?.();
    if (store === undefined)
      return deny('internal', 'replay: jti is set but no replay store is wired', {
        issuer,
        retryAfterSeconds: 1,
      });
    const replayed = await checkReplay({
      store,
      issuer,
      claims: decoded.claims,
      webhookId: webhook.webhookId,
      skewSeconds: config.clockSkewSeconds,
    });
    if (replayed !== undefined) return replayed;
  }
  const delivery =
    deps.deliveries === undefined
      ? undefined
      : await dedupDelivery(identity, webhook, { config, nowMs: token.now() }, deps.deliveries);
  if (delivery !== undefined && typeof delivery === 'object' && isDeny(delivery)) return delivery;
  const claims =
    rules.claimHeaders.length === 0
      ? NO_CLAIM_HEADERS
      : claimHeaders(decoded.claims, rules.claimHeaders);
  const alsoSet = claims.map(([name]) => name);
  if (delivery !== undefined) for (const [name] of deliveryHeaders(delivery)) alsoSet.push(name);
  return {
    allowed: true,
    identity,
    webhook,
    headersToRemove: headersToRemove(request.headers, policy.forwardToken, alsoSet),
    claimHeaders: claims,
    ...(delivery === undefined ? {} : { delivery }),
  };
}
