// Identity headers, headers to strip, and the deny body shared by both transports.
import { describe, expect, it } from 'vitest';
import { REASONS } from '../errors/reasons.js';
import { deny, type Allow } from '../pipeline/decision.js';
import {
  denyBody,
  headersToRemove,
  IDENTITY_HEADERS,
  identityHeaders,
} from './identity-headers.js';

const claims = { iss: 'https://issuer.example/p', sub: 'sender', aud: 'p', exp: 2_000_000_000 };
const allow = (forwardToken: boolean): Allow => ({
  allowed: true,
  identity: {
    issuer: claims.iss,
    subject: 'sender',
    audience: 'p',
    claims,
    encodedClaims: Buffer.from(JSON.stringify(claims)).toString('base64url'),
  },
  webhook: {
    topic: 't',
    tenantId: 'OU1',
    webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    triggeredAt: '2024-01-01T10:00:00.000Z',
  },
  forwardToken,
});

describe('identityHeaders', () => {
  it('sets the four x-pps-auth headers from the verified identity', () => {
    const headers = Object.fromEntries(identityHeaders(allow(false)));
    expect(Object.keys(headers).sort()).toEqual([...IDENTITY_HEADERS].sort());
    expect(headers).toMatchObject({
      'x-pps-auth-issuer': claims.iss,
      'x-pps-auth-subject': 'sender',
      'x-pps-auth-audience': 'p',
    });
    expect(
      JSON.parse(Buffer.from(headers['x-pps-auth-claims']!, 'base64url').toString('utf8')),
    ).toEqual(claims);
  });
});

describe('headersToRemove', () => {
  const sent = {
    authorization: 'Bearer x.y.z',
    'x-pps-auth-foo': 'forged',
    'x-pps-auth-subject': 'forged',
    'x-pps-topic': 't',
  };

  it('strips the token and client-sent reserved headers pps-gate does not set', () => {
    const remove = headersToRemove(allow(false), sent);
    expect(remove).toContain('authorization');
    expect(remove).toContain('x-pps-auth-foo');
    for (const name of IDENTITY_HEADERS) expect(remove).not.toContain(name);
    expect(remove).not.toContain('x-pps-topic');
  });

  it('keeps the token when the issuer forwards it', () => {
    expect(headersToRemove(allow(true), sent)).toEqual(['x-pps-auth-foo']);
  });
});

describe('denyBody', () => {
  it('is JSON with the public message and reason, never the private detail', () => {
    const body = denyBody(deny('unknown_key', 'kid "secret-kid" is not in the current key set'));
    expect(JSON.parse(body)).toEqual({ error: REASONS.unknown_key.message, reason: 'unknown_key' });
    expect(body).not.toContain('secret-kid');
  });

  it('uses the public detail when there is one', () => {
    const body = denyBody(
      deny('invalid_webhook_headers', 'X-Pps-Topic is missing', {
        publicDetail: 'X-Pps-Topic is missing',
      }),
    );
    expect(JSON.parse(body)).toEqual({
      error: 'X-Pps-Topic is missing',
      reason: 'invalid_webhook_headers',
    });
  });
});
