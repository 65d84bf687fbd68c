import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Allow, Decision } from '../pipeline/decision.js';
import { deny } from '../pipeline/decision.js';
import type { DecisionReport } from '../pipeline/run-check.js';
import { createDecisionLog } from './decision-log.js';
import { createLogger, type LogLevel } from './logger.js';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

function capture(level: LogLevel): {
  lines: Record<string, unknown>[];
  logger: ReturnType<typeof createLogger>;
  raw: string[];
} {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger(level, { format: 'json', destination });
  return {
    logger,
    raw,
    get lines() {
      return raw
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
  };
}

const allow: Allow = {
  allowed: true,
  identity: {
    issuer: 'https://issuer.test/p',
    subject: 'sender',
    audience: 'p',
    claims: {
      iss: 'https://issuer.test/p',
      sub: 'sender',
      aud: 'p',
      exp: 2,
      email: 'ops@example.com',
      tenant_secret: 's3cr3t',
    },
    encodedClaims: TOKEN.split('.')[1]!,
  },
  webhook: {
    topic: 't',
    tenantId: 'OU1',
    webhookId: 'b3f1c0de-0000-4000-8000-000000000001',
    triggeredAt: '2024-01-01T00:00:00.000Z',
  },
  headersToRemove: ['authorization'],
};

function report(decision: Decision, id = 'r1'): DecisionReport {
  return {
    transport: 'grpc',
    latencyMs: 1.23456,
    decision,
    request: {
      id,
      method: 'POST',
      path: '/hooks',
      receivedAtMs: 0,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'x-pps-tenant-id': 'OU1',
        'x-pps-topic': 't',
        'x-pps-webhook-id': 'b3f1c0de-0000-4000-8000-000000000001',
      },
    },
  };
}

describe('createDecisionLog', () => {
  it('logs an allow at info with request id, issuer, subject, tenant, topic, webhook id and latency, and no token', () => {
    const out = capture('info');
    createDecisionLog(out.logger)(report(allow));
    expect(out.lines).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: 'allow',
        decision: 'allow',
        requestId: 'r1',
        transport: 'grpc',
        issuer: 'https://issuer.test/p',
        subject: 'sender',
        tenant: 'OU1',
        topic: 't',
        webhookId: 'b3f1c0de-0000-4000-8000-000000000001',
        latencyMs: 1.235,
      }),
    ]);
    expect(out.lines[0]).not.toHaveProperty('redactedClaims');
    for (const part of TOKEN.split('.')) expect(out.raw.join('')).not.toContain(part);
  });

  it('logs the original method and path without its query string, and clips long sender values', () => {
    const out = capture('info');
    const base = report(deny('malformed_token', 'bad framing'));
    createDecisionLog(out.logger)({
      ...base,
      request: {
        ...base.request!,
        path: '/hooks/orders?signature=secret-value',
        headers: { ...base.request!.headers, 'x-pps-tenant-id': 'T'.repeat(5000) },
      },
    });
    const [line] = out.lines;
    expect(line).toMatchObject({ method: 'POST', path: '/hooks/orders' });
    expect(out.raw.join('')).not.toContain('secret-value');
    expect(line!.tenant).toBe(`${'T'.repeat(200)}…`);
  });

  it('samples allows with the injected draw, marks sampled lines, and always logs denies', () => {
    const out = capture('info');
    const draws = [0.1, 0.3, 0.2, 0.9];
    const log = createDecisionLog(out.logger, {
      allowSampleRate: 0.25,
      random: () => draws.shift()!,
    });
    for (let i = 0; i < 4; i++) log(report(allow, `a${i}`));
    log(
      report(deny('token_expired', 'expired 5 s ago', { issuer: 'https://issuer.test/p' }), 'd1'),
    );
    expect(out.lines.map((l) => [l.requestId, l.sampleRate])).toEqual([
      ['a0', 0.25],
      ['a2', 0.25],
      ['d1', undefined],
    ]);
    expect(draws).toEqual([]);
  });

  it('does no work for an allow when its level is off: no draw, no line', () => {
    const out = capture('warn');
    let draws = 0;
    const log = createDecisionLog(out.logger, { allowSampleRate: 0.5, random: () => (draws++, 0) });
    log(report(allow));
    log(report(deny('missing_token', 'no Authorization header')));
    expect(draws).toBe(0);
    expect(out.lines).toEqual([]);
  });

  it('raises keys_unavailable to warn and internal to error, with reason, issuer and private detail', () => {
    const out = capture('info');
    const log = createDecisionLog(out.logger);
    log(
      report(
        deny('keys_unavailable', 'no key set fetched yet', {
          issuer: 'https://issuer.test/p',
          retryAfterSeconds: 5,
        }),
      ),
    );
    log(report(deny('internal', 'unexpected error: boom')));
    expect(out.lines.map((l) => [l.level, l.reason, l.issuer, l.detail])).toEqual([
      ['warn', 'keys_unavailable', 'https://issuer.test/p', 'no key set fetched yet'],
      ['error', 'internal', undefined, 'unexpected error: boom'],
    ]);
  });

  it('adds the claims at debug only, with personal and custom values masked', () => {
    const out = capture('debug');
    createDecisionLog(out.logger, { level: 'debug' })(report(allow));
    expect(out.lines[0]).toMatchObject({
      level: 'debug',
      redactedClaims: {
        iss: 'https://issuer.test/p',
        sub: 'sender',
        aud: 'p',
        exp: 2,
        email: '[redacted]',
        tenant_secret: '[redacted]',
      },
    });
    expect(out.raw.join('')).not.toMatch(/ops@example\.com|s3cr3t/);
  });
});
