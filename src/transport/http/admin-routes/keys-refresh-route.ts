// POST /keys/refresh[?issuer=URL] on the admin port: refetch keys now, bypassing the cooldown, for
// a suspected key compromise; keys gone from the issuer's answer stop verifying as it lands.
// Answers what each refetch found (key ids only), 502 if one failed, 404 for an unknown issuer.
import type { RefreshOutcome } from '../../../issuers/issuer-keys.js';
import { sendJson, type AdminRoute } from '../admin-server.js';

export interface KeysRefresh {
  /** Undefined when `issuer` is named but not configured. */
  refreshNow(issuer?: string): Promise<readonly RefreshOutcome[] | undefined>;
}

export function keysRefreshRoute(
  keys: KeysRefresh,
  onRefresh: (issuer: string) => void = () => undefined,
): AdminRoute {
  return async (response, request) => {
    const query = new URL(request.url ?? '/', 'http://admin').searchParams;
    const issuer = query.get('issuer') ?? undefined;
    const outcomes = await keys.refreshNow(issuer);
    if (outcomes === undefined) {
      sendJson(response, 404, { error: `issuer ${JSON.stringify(issuer)} is not configured` });
      return;
    }
    for (const outcome of outcomes) onRefresh(outcome.issuer);
    const failed = outcomes.some((outcome) => outcome.error !== undefined);
    sendJson(response, failed ? 502 : 200, {
      issuers: outcomes.map((outcome) => ({
        issuer: outcome.issuer,
        result: outcome.error === undefined ? 'refreshed' : 'failed',
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        kids: outcome.kids,
      })),
    });
  };
}
