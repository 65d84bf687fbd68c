// The steps after the signature holds: webhook headers -> the issuer's webhook policy -> replay
// guard -> Allow (identity, claim headers, what upstream must not see). None of this is ever
// cached: it depends on the request's own headers and, for the replay guard, on what came before.
import { claimHeaders } from '../policy/claim-headers.js';
import type { ReplayStore } from '../replay/replay-store.js';
import { checkReplay } from './check-replay.js';
import { checkWebhookHeaders } from './check-webhook-headers.js';
import { checkWebhookPolicy } from './check-webhook-policy.js';
import {
  deny,
  isDeny,
  type Allow,
  type Decision,
  type Deny,
  type WebhookInfo,
} from './decision.js';
import { headersToRemove } from './headers-to-remove.js';
import type { TokenUnderCheck } from './token-under-check.js';

const NO_CLAIM_HEADERS: readonly (readonly [string, string])[] = Object.freeze([]);

export function decideWebhook(
  token: TokenUnderCheck,
  replay: ReplayStore | undefined,
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
  if (rules.replay === undefined) return allow(token, webhook);
  // A config with `replay: jti` always comes with a store from the gate's wiring.
  if (replay === undefined)
    return deny('internal', 'replay: jti is set but no replay store is wired', {
      issuer,
      retryAfterSeconds: 1,
    });
  const replayed = checkReplay({
    store: replay,
    issuer,
    claims: decoded.claims,
    webhookId: webhook.webhookId,
    skewSeconds: config.clockSkewSeconds,
  });
  const finish = (denied: Deny | undefined): Decision => denied ?? allow(token, webhook);
  return replayed instanceof Promise ? replayed.then(finish) : finish(replayed);
}

function allow(token: TokenUnderCheck, webhook: WebhookInfo): Allow {
  const { request, checked, decoded, framed } = token;
  const { policy } = checked;
  const headers =
    policy.rules.claimHeaders.length === 0
      ? NO_CLAIM_HEADERS
      : claimHeaders(decoded.claims, policy.rules.claimHeaders);
  return {
    allowed: true,
    identity: {
      issuer: policy.issuer,
      subject: checked.subject,
      audience: checked.audience,
      claims: decoded.claims,
      encodedClaims: framed.payload,
    },
    webhook,
    headersToRemove: headersToRemove(
      request.headers,
      policy.forwardToken,
      headers.map(([name]) => name),
    ),
    claimHeaders: headers,
  };
}
