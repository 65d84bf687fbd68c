// A minimal protobuf encoder (https://protobuf.dev/programming-guides/encoding/) for the parts
// of a CheckResponse pps-gate builds by hand: varints, length-delimited fields, doubles, and
// google.protobuf.Struct/Value from JSON. Fields of one message may be concatenated in any order
// and repeated fields concatenate, which is what lets an allow be assembled from parts built
// once per verified token plus the few bytes that depend on the request.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

function varintBytes(value: number): number[] {
  const bytes: number[] = [];
  let n = value;
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return bytes;
}

const tagBytes = (field: number, wireType: number): number[] => varintBytes(field * 8 + wireType);

/** `field` holding `payload` (a nested message, a string's UTF-8, bytes). */
export function lengthDelimited(field: number, payload: Buffer): Buffer {
  const head = Buffer.from([
    ...tagBytes(field, WIRE_LENGTH_DELIMITED),
    ...varintBytes(payload.length),
  ]);
  return Buffer.concat([head, payload], head.length + payload.length);
}

export function stringField(field: number, value: string): Buffer {
  return lengthDelimited(field, Buffer.from(value, 'utf8'));
}

/** A varint field (int32 >= 0, bool, enum). */
export function varintField(field: number, value: number): Buffer {
  return Buffer.from([...tagBytes(field, WIRE_VARINT), ...varintBytes(value)]);
}

function doubleField(field: number, value: number): Buffer {
  const bytes = Buffer.alloc(1 + 8);
  bytes[0] = field * 8 + WIRE_FIXED64;
  bytes.writeDoubleLE(value, 1);
  return bytes;
}

// google.protobuf.Value's oneof (struct.proto): null_value 1, number_value 2, string_value 3,
// bool_value 4, struct_value 5, list_value 6; ListValue.values 1; Struct.fields 1 (map entries
// with key 1, value 2).
export function encodeValue(value: unknown): Buffer {
  if (value === null || value === undefined) return varintField(1, 0);
  if (typeof value === 'number') return doubleField(2, value);
  if (typeof value === 'string') return stringField(3, value);
  if (typeof value === 'boolean') return varintField(4, value ? 1 : 0);
  if (Array.isArray(value))
    return lengthDelimited(6, Buffer.concat(value.map((v) => lengthDelimited(1, encodeValue(v)))));
  return lengthDelimited(5, encodeStructFields(value as Readonly<Record<string, unknown>>));
}

/** The body of a Struct: one map entry per key (concatenate more entries to extend it). */
export function encodeStructFields(object: Readonly<Record<string, unknown>>): Buffer {
  const entries: Buffer[] = [];
  for (const [key, value] of Object.entries(object)) {
    entries.push(
      lengthDelimited(
        1,
        Buffer.concat([stringField(1, key), lengthDelimited(2, encodeValue(value))]),
      ),
    );
  }
  return Buffer.concat(entries);
}
