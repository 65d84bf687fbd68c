// pps-gate against a certified OpenID provider (panva's node-oidc-provider) instead of the
// project's own local issuer: real ID tokens from a real authorization-code flow with PKCE,
// checked on pps-gate's HTTP forward-auth port. pps-gate's clock is injected and moved forward
// for expiry, key-refetch cooldowns and outage back-off; nothing sleeps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gate } from '../../src/gate/start-gate.js';
import { startLoopbackGate } from '../../src/gate/start-loopback-gate.js';
import type { KeyStoreEvents } from '../../src/issuers/key-store-events.js';
import { freePort } from '../support/gate-child.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';
import {
  signingKeys,
  startCertifiedProvider,
  type CertifiedProvider,
  type ClientSpec,
} from './certified-provider.js';

const CLIENTS: ClientSpec[] = [
  { clientId: 'orders-rs256', idTokenAlg: 'RS256' },
  { clientId: 'orders-es256', idTokenAlg: 'ES256' },
  { clientId: 'orders-eddsa', idTokenAlg: 'EdDSA' },
  { clientId: 'orders-short', idTokenAlg: 'RS256', idTokenTtlSeconds: 30 },
  { clientId: 'someone-elses-app', idTokenAlg: 'RS256' },
];
const TRUSTED_AUDIENCES = ['orders-rs256', 'orders-es256', 'orders-eddsa', 'orders-short'];
const SKEW_SECONDS = 60; // pps-gate's default clockSkewSeconds

/** A gate trusting `issuer` for TRUSTED_AUDIENCES, with a clock the test moves forward. */
async function gateFor(issuer: string) {
  let offsetMs = 0;
  const fetches: string[] = [];
  const changes: { added: readonly string[]; removed: readonly string[] }[] = [];
  const keyEvents: KeyStoreEvents = {
    onFetch: (_issuer, result) => fetches.push(result),
    onKeysChanged: (_issuer, added, removed) => changes.push({ added, removed }),
  };
  const gate = await startLoopbackGate(
    [{ issuer, audiences: TRUSTED_AUDIENCES }],
    'certified OP test (embedded)',
    { now: () => Date.now() + offsetMs, keyEvents },
  );
  return {
    gate,
    fetches,
    changes,
    advanceSeconds: (seconds: number) => (offsetMs += seconds * 1000),
    check: (token: string) => check(gate, token),
  };
}

interface Checked {
  readonly status: number;
  readonly reason: string | null;
  readonly retryAfter: string | null;
  readonly subject: string | null;
  readonly audience: string | null;
}

async function check(gate: Gate, token: string): Promise<Checked> {
  const response = await fetch(`http://127.0.0.1:${gate.httpPort}/webhooks/orders`, {
    method: 'POST',
    headers: webhookHeaders(token),
  });
  await response.arrayBuffer();
  return {
    status: response.status,
    reason: response.headers.get('x-pps-gate-reason'),
    retryAfter: response.headers.get('retry-after'),
    subject: response.headers.get('x-pps-auth-subject'),
    audience: response.headers.get('x-pps-auth-audience'),
  };
}

const algOf = (token: string): unknown =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: unknown }).alg;

describe('ID tokens from a real authorization-code flow (PKCE) with node-oidc-provider', () => {
  let op: CertifiedProvider;
  let g: Awaited<ReturnType<typeof gateFor>>;

  beforeAll(async () => {
    op = await startCertifiedProvider(CLIENTS, await signingKeys('gen1'));
    g = await gateFor(op.issuer);
  });
  afterAll(async () => {
    await g?.gate.close(0);
    await op?.close();
  });

  it.each([
    ['orders-rs256', 'RS256'],
    ['orders-es256', 'ES256'],
    ['orders-eddsa', 'EdDSA'],
  ])('allows %s’s ID token signed %s, with the signed-in user as subject', async (client, alg) => {
    const token = await op.idToken(client, 'alice@example.com');
    expect(algOf(token)).toBe(alg);
    expect(await g.check(token)).toMatchObject({
      status: 200,
      subject: 'alice@example.com',
      audience: client,
    });
  });

  it('denies an ID token issued to a client the gate does not trust (403 invalid_audience)', async () => {
    const token = await op.idToken('someone-elses-app', 'alice@example.com');
    expect(await g.check(token)).toMatchObject({ status: 403, reason: 'invalid_audience' });
  });

  it('denies a short-lived ID token once its exp (plus the skew) has passed (403 token_expired)', async () => {
    const token = await op.idToken('orders-short', 'bob@example.com');
    expect((await g.check(token)).status).toBe(200);
    g.advanceSeconds(30 + SKEW_SECONDS + 2);
    expect(await g.check(token)).toMatchObject({ status: 403, reason: 'token_expired' });
  });
});

describe('node-oidc-provider restarted with a new key set', () => {
  let op: CertifiedProvider;
  let g: Awaited<ReturnType<typeof gateFor>>;

  beforeAll(async () => {
    op = await startCertifiedProvider(CLIENTS, await signingKeys('gen1'));
    g = await gateFor(op.issuer);
  });
  afterAll(async () => {
    await g?.gate.close(0);
    await op?.close();
  });

  it('refetches the key set on the unknown kid once the refetch cooldown allows, then allows; the old key is gone (403 unknown_key)', async () => {
    const before = await op.idToken('orders-es256', 'carol@example.com');
    expect((await g.check(before)).status).toBe(200);
    const port = op.port;
    await op.close();
    op = await startCertifiedProvider(CLIENTS, await signingKeys('gen2'), port);
    const after = await op.idToken('orders-es256', 'carol@example.com');

    // Within minRefreshIntervalSeconds of the start-up fetch: the new kid cannot be ruled out yet.
    expect(await g.check(after)).toMatchObject({ status: 503, reason: 'keys_unavailable' });
    expect(g.fetches).toEqual(['success']);

    g.advanceSeconds(120);
    expect(await g.check(after)).toMatchObject({ status: 200, subject: 'carol@example.com' });
    expect(g.fetches).toEqual(['success', 'success']);
    const change = g.changes.at(-1)!;
    expect([...change.added].sort()).toEqual(['gen2-ec', 'gen2-okp', 'gen2-rsa']);
    expect([...change.removed].sort()).toEqual(['gen1-ec', 'gen1-okp', 'gen1-rsa']);
    // A key set fetched well after the old token was issued lacks its kid: permanent.
    expect(await g.check(before)).toMatchObject({ status: 403, reason: 'unknown_key' });
  });
});

describe('node-oidc-provider down when pps-gate starts', () => {
  let op: CertifiedProvider | undefined;
  let g: Awaited<ReturnType<typeof gateFor>>;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    g = await gateFor(`http://127.0.0.1:${port}`);
  });
  afterAll(async () => {
    await g?.gate.close(0);
    await op?.close();
  });

  it('answers 503 keys_unavailable with Retry-After while the keys cannot be had, then allows once the provider is back', async () => {
    expect(g.fetches).toEqual(['failure']);
    op = await startCertifiedProvider(CLIENTS, await signingKeys('gen1'), port);
    const token = await op.idToken('orders-rs256', 'dave@example.com');

    const outage = await g.check(token);
    expect(outage).toMatchObject({ status: 503, reason: 'keys_unavailable' });
    expect(outage.retryAfter).toMatch(/^[1-9]\d*$/);

    // Past the failed fetch's back-off (at most 5 minutes): the next check fetches and allows.
    g.advanceSeconds(301);
    expect(await g.check(token)).toMatchObject({ status: 200, subject: 'dave@example.com' });
    expect(g.fetches).toEqual(['failure', 'success']);
  });
});
