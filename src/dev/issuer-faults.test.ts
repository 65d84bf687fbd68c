// The loopback issuer's faults do what the fault matrix relies on, seen by a plain HTTP client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from './local-issuer.js';

let issuer: LocalIssuer;
let other: LocalIssuer;
const discoveryUrl = (): string => `${issuer.issuer}/.well-known/openid-configuration`;
const get = (url: string): Promise<Response> =>
  fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
const jwks = async (): Promise<{ keys: Record<string, unknown>[] }> =>
  (await (await get(issuer.jwksUri)).json()) as { keys: Record<string, unknown>[] };

beforeAll(async () => {
  [issuer, other] = await Promise.all([
    startLocalIssuer({ project: 'faults' }),
    startLocalIssuer({ project: 'elsewhere' }),
  ]);
});

afterAll(async () => {
  await issuer?.close();
  await other?.close();
});

describe('the loopback issuer faults', () => {
  it('refuses connections in refuse mode and serves again on the same port afterwards', async () => {
    await issuer.setMode('refuse');
    await expect(get(issuer.jwksUri)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    await issuer.setMode('up');
    expect((await get(issuer.jwksUri)).status).toBe(200);
  });

  it('black-holes: the request is received but never answered', async () => {
    issuer.mode = 'blackhole';
    const before = issuer.fetches.jwks;
    await expect(fetch(issuer.jwksUri, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject(
      { name: 'TimeoutError' },
    );
    expect(issuer.fetches.jwks).toBe(before + 1);
    issuer.mode = 'up';
  });

  it('answers 500, HTML, half a document and a redirect to another host', async () => {
    issuer.mode = 'error';
    expect((await get(issuer.jwksUri)).status).toBe(500);
    issuer.mode = 'html';
    const html = await get(issuer.jwksUri);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    issuer.mode = 'truncated';
    await expect((await get(issuer.jwksUri)).json()).rejects.toThrow(SyntaxError);
    issuer.mode = 'redirect';
    issuer.redirectLocation = other.jwksUri;
    const redirect = await get(issuer.jwksUri);
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, other.jwksUri]);
    issuer.mode = 'up';
  });

  it('streams a 10 MiB body without a Content-Length', async () => {
    issuer.mode = 'huge-stream';
    const response = await get(issuer.jwksUri);
    expect(response.headers.get('content-length')).toBeNull();
    expect((await response.arrayBuffer()).byteLength).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    issuer.mode = 'up';
  });

  it('publishes a private key, a duplicate kid, or an empty set', async () => {
    const kid = issuer.publishedKids[0];
    issuer.mode = 'private-key';
    expect((await jwks()).keys.some((k) => k.d !== undefined && k.kid === kid)).toBe(true);
    issuer.mode = 'duplicate-kids';
    const duplicated = (await jwks()).keys.filter((k) => k.kid === kid);
    expect(duplicated).toHaveLength(2);
    expect(duplicated[0]).not.toEqual(duplicated[1]);
    issuer.mode = 'empty-set';
    expect(await jwks()).toEqual({ keys: [] });
    issuer.mode = 'up';
  });

  it('names another issuer in discovery, and applies a fault to one endpoint only', async () => {
    issuer.mode = 'wrong-issuer';
    const doc = (await (await get(discoveryUrl())).json()) as { issuer: string };
    expect(doc.issuer).not.toBe(issuer.issuer);
    issuer.mode = 'down';
    issuer.faultOn = 'discovery';
    expect((await get(discoveryUrl())).status).toBe(503);
    expect((await get(issuer.jwksUri)).status).toBe(200);
    issuer.faultOn = 'jwks';
    expect((await get(discoveryUrl())).status).toBe(200);
    expect((await get(issuer.jwksUri)).status).toBe(503);
    issuer.faultOn = 'all';
    issuer.mode = 'up';
  });
});
