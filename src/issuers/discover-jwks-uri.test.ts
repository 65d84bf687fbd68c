// OIDC discovery: the document must name exactly the configured issuer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../dev/local-issuer.js';
import { discoverJwksUri, discoveryUrl } from './discover-jwks-uri.js';

let issuer: LocalIssuer;
const limits = { timeoutMs: 2000, maxBytes: 1024 * 1024, allowInsecureHttp: true };

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-discovery' });
});
afterAll(() => issuer.close());

describe('discoverJwksUri', () => {
  it('builds the well-known URL with or without a trailing slash', () => {
    expect(discoveryUrl('https://a.example/p')).toBe(
      'https://a.example/p/.well-known/openid-configuration',
    );
    expect(discoveryUrl('https://a.example/p/')).toBe(
      'https://a.example/p/.well-known/openid-configuration',
    );
  });

  it("returns the jwks_uri from the configured issuer's own document", async () => {
    expect(await discoverJwksUri(issuer.issuer, limits)).toBe(issuer.jwksUri);
  });

  it('refuses a document that names another issuer', async () => {
    // Same document, but the configured issuer differs by its trailing slash.
    const before = issuer.fetches.discovery;
    await expect(discoverJwksUri(`${issuer.issuer}/`, limits)).rejects.toThrow(
      /names issuer .* not the configured one/,
    );
    expect(issuer.fetches.discovery).toBe(before + 1);
  });
});
