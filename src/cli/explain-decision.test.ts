// explain's engine agrees with authorize(): the same final answer for allows and for every deny.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/parse-config.js';
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { webhookHeaders } from '../dev/webhook-headers.js';
import { KeyStore } from '../issuers/key-store.js';
import { authorize } from '../pipeline/authorize.js';
import type { WebhookRequest } from '../pipeline/webhook-request.js';
import { silentLogger } from '../telemetry/logger.js';
import { explainDecision } from './explain-decision.js';

let issuer: LocalIssuer;
let keys: KeyStore;
let config: ReturnType<typeof parseConfig>;

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'explain-unit' });
  config = parseConfig(
    JSON.stringify({
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
    }),
    'test',
  );
  keys = new KeyStore({ logger: silentLogger });
  await Promise.all(keys.applyConfig(config));
});

afterAll(async () => {
  keys.close();
  await issuer.close();
});

const request = (headers: Record<string, string>): WebhookRequest => ({
  id: 't',
  method: 'POST',
  path: '/',
  headers,
  receivedAtMs: Date.now(),
});

describe('explainDecision', () => {
  it('gives the same answer as authorize() for an allow and for each kind of deny', async () => {
    const nowS = Math.floor(Date.now() / 1000);
    const forged = await issuer.unpublishedKey();
    const cases: Record<string, string>[] = [
      webhookHeaders(await issuer.sign()),
      webhookHeaders(undefined),
      webhookHeaders('a.b'),
      webhookHeaders(await issuer.sign({ claims: { aud: 'someone-else' } })),
      webhookHeaders(await issuer.sign({ claims: { iat: nowS - 7200, exp: nowS - 3600 } })),
      webhookHeaders(await issuer.sign({ key: forged, kid: issuer.publishedKids[0] })),
      webhookHeaders(await issuer.sign(), { 'x-pps-webhook-id': 'nope' }),
      webhookHeaders(await issuer.sign({ header: { typ: 'at+jwt' } })),
    ];
    const deps = { config: new ConfigSnapshot(config), keys, now: Date.now };
    for (const headers of cases) {
      const decided = await authorize(request(headers), deps);
      const explained = await explainDecision(request(headers), { config, keys, now: Date.now });
      expect(explained.allowed).toBe(decided.allowed);
      expect(explained.reason).toBe(decided.allowed ? undefined : decided.reason);
      const failed = explained.steps.filter((s) => s.verdict === 'fail');
      expect(failed).toHaveLength(decided.allowed ? 0 : 1);
      expect(explained.steps).toHaveLength(8);
    }
  });
});
