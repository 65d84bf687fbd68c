// Identity headers both transports set on allow.
import { describe, expect, it } from 'vitest';
import type { Allow } from '../pipeline/decision.js';
import { IDENTITY_HEADERS } from '../pipeline/headers-to-remove.js';
import { allowHeaders } from './allow-headers.js';

const claims = { iss: 'https://issuer.example/p', sub: 'sender', aud: 'p', exp: 2_000_000_000 };
const allow: Allow = {
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
  headersToRemove: ['authorization'],
};

describe('allowHeaders', () => {
  it('sets the four x-pps-auth headers from the verified identity', () => {
    const headers = Object.fromEntries(allowHeaders(allow));
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
