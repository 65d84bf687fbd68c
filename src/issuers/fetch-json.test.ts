// The bounded GET: https only unless allowed, no redirects, a size cap, a timeout, JSON only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { fetchJson, KeyFetchError, type FetchLimits } from './fetch-json.js';

let issuer: LocalIssuer;
const limits: FetchLimits = { timeoutMs: 2000, maxBytes: 1024 * 1024, allowInsecureHttp: true };

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-fetch' });
});
afterAll(() => issuer.close());
beforeEach(() => {
  issuer.mode = 'up';
});

describe('fetchJson', () => {
  it('returns the parsed JSON of a 200 response', async () => {
    const body = (await fetchJson(issuer.jwksUri, limits)) as { keys: { kid: string }[] };
    expect(body.keys.map((k) => k.kid)).toEqual(issuer.publishedKids);
  });

  it('refuses http:// without allowInsecureHttp, before any request is made', async () => {
    const before = issuer.fetches.jwks;
    await expect(
      fetchJson(issuer.jwksUri, { ...limits, allowInsecureHttp: false }),
    ).rejects.toThrow(/only https URLs are fetched/);
    await expect(fetchJson('file:///etc/passwd', limits)).rejects.toBeInstanceOf(KeyFetchError);
    expect(issuer.fetches.jwks).toBe(before);
  });

  it('refuses a redirect instead of following it', async () => {
    issuer.mode = 'redirect';
    await expect(fetchJson(issuer.jwksUri, limits)).rejects.toThrow(
      'HTTP 302 (redirects are refused)',
    );
  });

  it('refuses a body over the size cap', async () => {
    issuer.mode = 'huge';
    await expect(fetchJson(issuer.jwksUri, limits)).rejects.toThrow(/exceeds 1048576/);
  });

  it('refuses a body that is not JSON, without echoing it', async () => {
    issuer.mode = 'garbage';
    const error = await fetchJson(issuer.jwksUri, limits).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(KeyFetchError);
    expect((error as Error).message).toContain('response is not JSON');
    expect((error as Error).message).not.toContain('<html>');
  });

  it('refuses a non-200 status', async () => {
    issuer.mode = 'down';
    await expect(fetchJson(issuer.jwksUri, limits)).rejects.toThrow('HTTP 503');
  });

  it('gives up on a slow issuer after the timeout', async () => {
    issuer.mode = 'slow';
    issuer.slowMs = 2000;
    await expect(fetchJson(issuer.jwksUri, { ...limits, timeoutMs: 100 })).rejects.toThrow(
      'timed out after 100 ms',
    );
  });
});
