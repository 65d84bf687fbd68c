// Step after the webhook checks: duplicate deliveries. Only a request whose token and webhook
// headers passed gets here, so only authenticated traffic touches the store. annotate: always
// allow, marked; enforce: a repeat in flight is 503 delivery_in_progress, a repeat of a
// delivered webhook is the 200 duplicate_delivery "deny" (never forwarded), a store outage is
// 503 dedup_unavailable. The HTTP forward-auth transport always annotates: nginx, Traefik and
// friends read any 2xx from the auth call as "allow" and cannot report the upstream's answer.
import { checkDelivery, type DeliveryCheck, type DeliveryInfo } from '../dedup/check-delivery.js';
import type { DedupSettings } from '../config/dedup-settings.js';
import type { DeliveryStore } from '../dedup/delivery-store.js';
import type { GateConfig } from '../config/gate-config.js';
import { deny, type Deny, type VerifiedIdentity, type WebhookInfo } from './decision.js';

export interface DeliveryDeps {
  /** Undefined until the store exists (the API config source before its first ConfigMap). */
  readonly store: () => DeliveryStore | undefined;
  /** The most a store may take before the check answers "unavailable" (under a second). */
  readonly deadlineMs: number;
  /** The HTTP forward-auth transport: annotate whatever the config says. */
  readonly annotateOnly: boolean;
}

/** A store outage makes a sender wait this long before retrying (enforce). */
export const DEDUP_UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

export type DeliveryVerdict = DeliveryInfo | 'unavailable' | Deny | undefined;

/** Synchronous when the store answers at once (memory), a promise otherwise (Redis). */
export function dedupDelivery(
  identity: VerifiedIdentity,
  webhook: WebhookInfo,
  context: { readonly config: GateConfig; readonly nowMs: number },
  deps: DeliveryDeps,
): DeliveryVerdict | Promise<DeliveryVerdict> {
  const store = deps.store();
  if (store === undefined) return undefined;
  const { dedup } = context.config;
  const settings =
    deps.annotateOnly && dedup.mode === 'enforce' ? { ...dedup, mode: 'annotate' as const } : dedup;
  const principal = {
    issuer: identity.issuer,
    subject: identity.subject,
    tenantId: webhook.tenantId,
    webhookId: webhook.webhookId,
  };
  const check = checkDelivery(principal, context.nowMs, {
    store,
    settings,
    deadlineMs: deps.deadlineMs,
  });
  const mode = settings.mode;
  return check instanceof Promise
    ? check.then((verdict) => toVerdict(verdict, identity.issuer, mode))
    : toVerdict(check, identity.issuer, mode);
}

function toVerdict(
  verdict: DeliveryCheck,
  issuer: string,
  mode: DedupSettings['mode'],
): DeliveryVerdict {
  switch (verdict.kind) {
    case 'forward':
      return verdict.delivery;
    case 'already_delivered':
      return deny(
        'duplicate_delivery',
        `delivery ${verdict.delivery.count} of a delivered webhook`,
        {
          issuer,
          delivery: verdict.delivery,
        },
      );
    case 'in_progress':
      return deny(
        'delivery_in_progress',
        `delivery ${verdict.delivery.count} while one is in flight`,
        {
          issuer,
          delivery: verdict.delivery,
          retryAfterSeconds: verdict.retryAfterSeconds,
        },
      );
    case 'unavailable':
      return mode === 'annotate'
        ? 'unavailable'
        : deny('dedup_unavailable', verdict.detail, {
            issuer,
            retryAfterSeconds: DEDUP_UNAVAILABLE_RETRY_AFTER_SECONDS,
          });
  }
}
