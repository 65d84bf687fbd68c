import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Allow } from '../../pipeline/decision.js';
import { encodeAllowResponse } from './allow-response.js';
import { toCheckResponse } from './check-response.js';
import { loadGateProtos } from './load-protos.js';

const check = loadGateProtos().authorization.service.Check!;

function allow(claims: Record<string, unknown>, headersToRemove: string[]): Allow {
  return {
    allowed: true,
    identity: {
      issuer: 'https://securetoken.google.com/pps',
      subject: 'pps-webhook-sender',
      audience: 'pps',
      claims,
      encodedClaims: Buffer.from(JSON.stringify(claims)).toString('base64url'),
    },
    webhook: {
      topic: 'orders/placed',
      tenantId: 'OU1243',
      webhookId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
      triggeredAt: '2024-01-01T10:00:00.777Z',
    },
    headersToRemove,
    claimHeaders: [],
  };
}

const deliveries = fc.option(
  fc.oneof(
    fc.constant('unavailable' as const),
    fc.record(
      {
        count: fc.integer({ min: 1, max: 1000 }),
        firstSeenAt: fc.constant('2024-01-01T10:00:00.777Z'),
        duplicate: fc.boolean(),
        deliveryKey: fc.stringMatching(/^[0-9a-f]{64}$/),
      },
      { requiredKeys: ['count', 'firstSeenAt', 'duplicate'] },
    ),
  ),
  { nil: undefined },
);
const claimHeaderLists = fc.array(
  fc.tuple(fc.constantFrom('x-pps-auth-email', 'x-pps-auth-tenant'), fc.string()),
  { maxLength: 2 },
);

// The oracle is protobufjs, whose fromObject assigns map entries with `fields[key] = value`: a
// claim named "__proto__" (which the strict JSON parser keeps as an own member) would set the
// object's prototype there and vanish from its encoding, while ours keeps it (tested below).
const claimNames = fc.string().filter((name) => name !== '__proto__');
const SEEDED = { seed: 20261130 };

describe('pre-encoded allow', () => {
  it('is byte for byte the CheckResponse protobufjs encodes for the same allow', () => {
    const claims = fc.dictionary(claimNames, fc.jsonValue({ maxDepth: 2 }));
    const removals = fc.array(fc.constantFrom('authorization', 'x-pps-auth-role', 'x-pps-auth-x'));
    fc.assert(
      fc.property(claims, removals, (c, r) => {
        const decision = allow(c, r);
        const expected = check.responseSerialize(toCheckResponse(decision));
        expect(encodeAllowResponse(decision).equals(expected)).toBe(true);
      }),
      { ...SEEDED, numRuns: 200 },
    );
  });

  it('keeps a claim named "__proto__" in dynamic_metadata (protobufjs would drop it)', () => {
    const claims = JSON.parse('{"sub":"s","__proto__":"kept"}') as Record<string, unknown>;
    const bytes = encodeAllowResponse(allow(claims, ['authorization']));
    expect(bytes.includes(Buffer.from('__proto__'))).toBe(true);
    expect(bytes.includes(Buffer.from('kept'))).toBe(true);
  });

  it('encodes claim headers, dedup marks and the delivery_key exactly as protobufjs does, per request', () => {
    const claims = fc.dictionary(claimNames, fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(claims, claimHeaderLists, deliveries, (c, headers, delivery) => {
        const base = allow(c, ['authorization']);
        const decision: Allow = {
          ...base,
          claimHeaders: headers,
          ...(delivery === undefined ? {} : { delivery }),
        };
        // The identity parts were built for an earlier request of the same token: they must not
        // carry that request's dedup marks or claim headers into this one.
        encodeAllowResponse({
          ...base,
          delivery: { count: 99, firstSeenAt: 'x', duplicate: true },
        });
        const expected = check.responseSerialize(toCheckResponse(decision));
        expect(encodeAllowResponse(decision).equals(expected)).toBe(true);
      }),
      { ...SEEDED, numRuns: 200 },
    );
  });

  it('reuses the identity parts but encodes each request’s own removals and webhook', () => {
    const first = allow({ sub: 'pps-webhook-sender' }, ['authorization']);
    const second: Allow = {
      ...first,
      webhook: { ...first.webhook, topic: 'orders/cancelled' },
      headersToRemove: ['authorization', 'x-pps-auth-role'],
    };
    encodeAllowResponse(first);
    const decoded = check.responseDeserialize(encodeAllowResponse(second)) as {
      ok_response: { headers_to_remove: string[] };
      dynamic_metadata: { fields: { webhook: { structValue: { fields: { topic: unknown } } } } };
    };
    expect(decoded.ok_response.headers_to_remove).toEqual(['authorization', 'x-pps-auth-role']);
    expect(decoded.dynamic_metadata.fields.webhook.structValue.fields.topic).toMatchObject({
      stringValue: 'orders/cancelled',
    });
  });
});
