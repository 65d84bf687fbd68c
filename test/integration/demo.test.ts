// `pps-gate demo --once`, the first thing a newcomer runs: it exits 0 and its table shows each
// webhook's outcome as the README promises.
import { beforeAll, describe, expect, it } from 'vitest';
import { runGate, type RunResult } from '../support/start-gate-process.js';

let result: RunResult;
let rows: Map<string, { status: string; reason: string; upstream: string }>;

beforeAll(async () => {
  result = await runGate(['demo', '--once'], { timeoutMs: 25_000 });
  // Columns are separated by two or more spaces; names contain single spaces.
  rows = new Map();
  for (const line of result.stdout.split('\n')) {
    const cells = line.trim().split(/ {2,}/);
    if (cells.length >= 4 && /^\d{3}$/.test(cells[1]!))
      rows.set(cells[0]!, { status: cells[1]!, reason: cells[2]!, upstream: cells[3]! });
  }
}, 30_000);

describe('pps-gate demo --once', () => {
  it('exits 0 without writing to stderr', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('shows 200 for the valid webhooks, with the token removed and the subject from the token', () => {
    for (const name of ['valid webhook', 'valid, spoofed x-pps-auth-subject']) {
      expect(rows.get(name), name).toEqual({
        status: '200',
        reason: '-',
        upstream: 'subject=pps-webhook-sender, authorization removed',
      });
    }
  });

  it.each([
    ['expired token', 'token_expired'],
    ['wrong audience', 'invalid_audience'],
    ['untrusted issuer', 'untrusted_issuer'],
    ['tampered payload', 'invalid_signature'],
    ['no token', 'missing_token'],
  ])('shows 403 %s with reason %s and nothing reaching the upstream', (name, reason) => {
    expect(rows.get(name)).toEqual({ status: '403', reason, upstream: '(nothing)' });
  });

  it.each([['bad webhook id header'], ['bad triggered-at header']])(
    'shows 400 invalid_webhook_headers for the %s',
    (name) => {
      expect(rows.get(name)).toEqual({
        status: '400',
        reason: 'invalid_webhook_headers',
        upstream: '(nothing)',
      });
    },
  );

  it('shows a trusted issuer that is down as a retryable 503 keys_unavailable, not a 403', () => {
    expect(rows.get('trusted issuer down (retry)')).toEqual({
      status: '503',
      reason: 'keys_unavailable',
      upstream: '(nothing)',
    });
  });

  it('prints a curl line for trying the forward-auth endpoint by hand', () => {
    expect(result.stdout).toMatch(
      /curl -i http:\/\/127\.0\.0\.1:\d+\/webhooks\/orders -H 'Authorization: Bearer [\w-]+\.[\w-]+\.[\w-]+'/,
    );
  });
});
