// The steps after the signature holds: webhook headers -> the issuer's webhook policy -> replay
// guard -> duplicate deliveries -> Allow (identity, claim headers, dedup headers, what upstream
// must not see). None of this is ever cached: it depends on the request's own headers and, for
// the replay guard and dedup, on what came before.
import { claimHeaders } from '../policy/claim-headers.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { checkReplay } from './check-replay.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import { checkWebhookPolicy } from './check-webhook-policy.js';
import { dedupDelivery, type DeliveryDeps, type DeliveryVerdict } from './dedup-delivery.js';
import { deliveryHeaders } from './delivery-headers.js';
import {
  deny,
  isDeny,
  type Allow,
  type Decision,
  type VerifiedIdentity,
  type WebhookInfo,
} from './decision.js';
import { headersToRemove } from './headers-to-remove.js';
import type { TokenUnderCheck } from './token-under-check.js';

export interface WebhookDeps {
  /** The replay guard's seen-jti store; needed once an issuer sets `replay: jti`. */
  readonly replay?: (() => ReplayStore | undefined) | undefined;
  /** Duplicate deliveries; absent: no dedup step (library use, unit tests). */
  readonly deliveries?: DeliveryDeps | undefined;
}

const NO_CLAIM_HEADERS: readonly (readonly [string, string])[] = Object.freeze([]);

/**
 * `identity`: the verified token's, built once per verification (a cached token reuses its own).
 * Synchronous unless the replay guard or the delivery store answers with a promise (Redis).
 */
export function decideWebhook(
  token: TokenUnderCheck,
  deps: WebhookDeps,
  identity: VerifiedIdentity,
): Decision | Promise<Decision> {
  const { request, checked, decoded, config } = token;
  const { issuer, rules } = checked.policy;
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
  if (rules.replay === undefined) return checkDelivery(token, deps, identity, webhook);
  // The gate opens a store with its first config; a Redis one takes a moment to load.
  const store = deps.replay?.();
  if (store === undefined)
    return deny(
      'replay_store_unavailable',
      'replay: jti is set but the replay store is not open yet',
      {
        issuer,
        retryAfterSeconds: 1,
      },
    );
  const replayed = checkReplay({
    store,
    issuer,
    claims: decoded.claims,
    webhookId: webhook.webhookId,
    skewSeconds: config.clockSkewSeconds,
  });
  if (!(replayed instanceof Promise))
    return replayed ?? checkDelivery(token, deps, identity, webhook);
  return replayed.then((denied) => denied ?? checkDelivery(token, deps, identity, webhook));
}

/** Duplicate deliveries, last: a request another rule refuses never touches the store. */
function checkDelivery(
  token: TokenUnderCheck,
  deps: WebhookDeps,
  identity: VerifiedIdentity,
  webhook: WebhookInfo,
): Decision | Promise<Decision> {
  if (deps.deliveries === undefined) return allow(token, identity, webhook, undefined);
  const context = { config: token.config, nowMs: token.now() };
  const verdict = dedupDelivery(identity, webhook, context, deps.deliveries);
  return verdict instanceof Promise
    ? verdict.then((delivery) => allowOrDeny(token, identity, webhook, delivery))
    : allowOrDeny(token, identity, webhook, verdict);
}

function allowOrDeny(
  token: TokenUnderCheck,
  identity: VerifiedIdentity,
  webhook: WebhookInfo,
  delivery: DeliveryVerdict,
): Decision {
  return delivery !== undefined && typeof delivery === 'object' && isDeny(delivery)
    ? delivery
    : allow(token, identity, webhook, delivery);
}

function allow(
  token: TokenUnderCheck,
  identity: VerifiedIdentity,
  webhook: WebhookInfo,
  delivery: Allow['delivery'],
): Allow {
  const { request, checked, decoded } = token;
  const { rules, forwardToken } = checked.policy;
  const claims =
    rules.claimHeaders.length === 0
      ? NO_CLAIM_HEADERS
      : claimHeaders(decoded.claims, rules.claimHeaders);
  // Asked only when the client sent a reserved header: the common allow builds no name list.
  const alsoSets = (name: string): boolean =>
    claims.some(([claimName]) => claimName === name) ||
    (delivery !== undefined && deliveryHeaders(delivery).some(([mark]) => mark === name));
  return {
    allowed: true,
    identity,
    webhook,
    headersToRemove: headersToRemove(request.headers, forwardToken, alsoSets),
    claimHeaders: claims,
    ...(delivery === undefined ? {} : { delivery }),
  };
}
