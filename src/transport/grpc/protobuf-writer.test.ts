import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadGateProtos } from './load-protos.js';
import {
  encodeStructFields,
  lengthDelimited,
  stringField,
  varintField,
} from './protobuf-writer.js';
import { toProtoStruct } from './struct.js';

const check = loadGateProtos().authorization.service.Check!;
const serialize = (message: unknown): Buffer => check.responseSerialize(message);

describe('protobuf writer', () => {
  it('encodes any JSON object as exactly the bytes protobufjs writes for the same Struct', () => {
    // Without "__proto__" members: protobufjs's fromObject assigns map entries by key, so the
    // oracle would lose them (allow-response.test.ts checks that ours keeps them).
    const json = fc
      .jsonValue({ maxDepth: 3 })
      .filter((v) => v !== null && typeof v === 'object' && !Array.isArray(v))
      .filter((v) => !JSON.stringify(v).includes('"__proto__"'));
    fc.assert(
      fc.property(json, (object) => {
        const record = object as Record<string, unknown>;
        const ours = lengthDelimited(4, encodeStructFields(record));
        expect(ours.equals(serialize({ dynamic_metadata: toProtoStruct(record) }))).toBe(true);
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });

  it('gives kept bytes memory of their own, never a slice of the shared Buffer pool', () => {
    const claims = { sub: 'pps-webhook-sender', aud: 'pps' };
    const kept = encodeStructFields(claims, true);
    // A pooled slice shares an 8 KiB slab; a kept part must pin only its own bytes.
    expect(kept.buffer.byteLength).toBe(kept.length);
    expect(encodeStructFields(claims).buffer.byteLength).toBeGreaterThan(kept.length);
    expect(kept.equals(encodeStructFields(claims))).toBe(true);
  });

  it('writes strings as UTF-8 and varints past one byte as protobufjs does', () => {
    const message = 'ü'.repeat(200);
    const ours = lengthDelimited(1, Buffer.concat([varintField(1, 16), stringField(2, message)]));
    expect(ours.equals(serialize({ status: { code: 16, message } }))).toBe(true);
  });
});
