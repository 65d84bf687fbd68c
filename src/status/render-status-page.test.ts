// The status page's HTML: escaped, and saying plainly what is failing.
import { describe, expect, it } from 'vitest';
import { issuerHealth, renderStatusPage } from './render-status-page.js';
import type { IssuerStatus, StatusView } from './status-view.js';

const NOW = Date.parse('2026-11-30T12:00:30Z');

const healthy: IssuerStatus = {
  issuer: 'https://issuer.example/a',
  jwksUri: 'https://issuer.example/a/jwks.json',
  keys: [{ kid: 'k1', alg: 'RS256' }],
  ageMs: 90_000,
  stale: false,
  usable: true,
  consecutiveFailures: 0,
  lastFetch: { result: 'success', atMs: NOW - 90_000 },
  nextRefreshAtMs: NOW + 3_510_000,
};

function view(overrides: Partial<StatusView> = {}): StatusView {
  return {
    version: '0.1.0',
    nowMs: NOW,
    readiness: { ready: true, waitingFor: [] },
    config: {
      source: 'file /etc/pps-gate/issuers.yaml',
      hash: 'abc123',
      loadedAtMs: NOW - 60_000,
      lastReload: { result: 'invalid', atMs: NOW - 5_000 },
    },
    issuers: [healthy],
    decisions: [
      { startMs: NOW - 90_000, counts: { allow: 4 } },
      { startMs: NOW - 30_000, counts: { allow: 2, invalid_signature: 3 } },
    ],
    ...overrides,
  };
}

describe('renderStatusPage', () => {
  it('escapes every name it shows', () => {
    const html = renderStatusPage(
      view({
        version: '<b>1</b>',
        issuers: [{ ...healthy, issuer: 'https://x.example/"><script>alert(1)</script>' }],
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>1</b>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-issuer="https://x.example/&quot;&gt;&lt;script&gt;');
  });

  it('shows the config hash, the rejected last reload and the decision counts with totals', () => {
    const html = renderStatusPage(view());
    expect(html).toContain('<code>abc123</code>');
    expect(html).toContain(
      '<span class="bad">invalid</span> <time datetime="2026-11-30T12:00:25.000Z">5 s ago</time>',
    );
    expect(html).toMatch(
      /data-outcome="invalid_signature"><th>invalid_signature<\/th><td class="n"><\/td><td class="n">3<\/td><td class="n">3<\/td>/,
    );
    expect(html).toMatch(/data-outcome="allow">.*<td class="n">6<\/td><\/tr>/);
  });

  it('calls an issuer failing when its last fetch failed or it has no usable keys, stale when only old', () => {
    expect(issuerHealth(healthy)).toBe('ok');
    expect(issuerHealth({ ...healthy, stale: true })).toBe('stale');
    expect(
      issuerHealth({
        ...healthy,
        consecutiveFailures: 2,
        lastFetch: { result: 'failure', atMs: NOW },
      }),
    ).toBe('failing');
    expect(issuerHealth({ ...healthy, usable: false, keys: [], lastFetch: undefined })).toBe(
      'failing',
    );
    const html = renderStatusPage(
      view({
        issuers: [
          {
            ...healthy,
            usable: false,
            keys: [],
            consecutiveFailures: 3,
            lastFetch: { result: 'failure', atMs: NOW - 1000 },
          },
        ],
      }),
    );
    expect(html).toContain('data-health="failing"');
    expect(html).toContain('failing (no usable keys: 503)');
    expect(html).toContain('(3 in a row)');
  });

  it('says what readiness waits for', () => {
    const html = renderStatusPage(view({ readiness: { ready: false, waitingFor: ['config'] } }));
    expect(html).toContain('<span class="bad">not ready</span> (waiting for config)');
  });
});
