// GET /keys on the admin port: per trusted issuer, the cached key ids and algorithms, when the set
// was fetched, its age and whether it is stale. Key ids only: never key material.
import type { IssuerKeysView } from '../../../issuers/issuer-keys.js';
import { sendJson, type AdminRoute } from '../admin-server.js';
import { redactUrl } from './redact-url.js';

export function keysRoute(describe: () => readonly IssuerKeysView[]): AdminRoute {
  return (response) => {
    const issuers = describe().map((view) => ({
      issuer: view.issuer,
      jwksUri: view.jwksUri === undefined ? null : redactUrl(view.jwksUri),
      keys: view.keys.map((key) => ({
        kid: key.kid,
        alg: key.alg ?? null,
        type: key.type ?? null,
      })),
      fetchedAt: view.fetchedAtMs === undefined ? null : new Date(view.fetchedAtMs).toISOString(),
      ageSeconds: view.ageMs === undefined ? null : Math.round(view.ageMs / 100) / 10,
      stale: view.stale,
      usable: view.usable,
      consecutiveFailures: view.consecutiveFailures,
    }));
    sendJson(response, 200, { issuers });
  };
}
