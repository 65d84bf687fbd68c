// A minimal protobuf encoder (https://protobuf.dev/programming-guides/encoding/) for the parts
// of a CheckResponse pps-gate builds by hand: varints, length-delimited fields, doubles, and
// google.protobuf.Struct/Value from JSON. Sizes are computed first and everything is written
// into one buffer (small Buffer allocations per field cost more than the encoding). Fields of
// one message may be concatenated in any order and repeated fields concatenate, which is what
// lets an allow be assembled from parts built once per verified token plus the few bytes that
// depend on the request.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

/** UTF-8 byte length; a short ASCII string (most of what a check writes) is counted here in JS. */
export function utf8Length(value: string): number {
  if (value.length > 64) return Buffer.byteLength(value);
  for (let i = 0; i < value.length; i++)
    if (value.charCodeAt(i) >= 0x80) return Buffer.byteLength(value);
  return value.length;
}

export function varintSize(value: number): number {
  let size = 1;
  for (let n = value; n > 0x7f; n = Math.floor(n / 128)) size++;
  return size;
}

/** Writes into a buffer sized beforehand with the *Size functions. */
export class ProtoWriter {
  readonly buffer: Buffer;
  private pos = 0;

  /**
   * `kept`: the bytes outlive the request (a token cache entry's parts). Small Buffers are
   * slices of a shared 8 KiB pool, and one kept slice keeps its whole slab alive: thousands of
   * cached tokens would each pin a slab outside the V8 heap. Kept bytes get their own memory.
   */
  constructor(size: number, kept = false) {
    this.buffer = kept ? Buffer.allocUnsafeSlow(size) : Buffer.allocUnsafe(size);
  }

  varint(value: number): this {
    let n = value;
    while (n > 0x7f) {
      this.buffer[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buffer[this.pos++] = n;
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  /** The head of a length-delimited field whose body (`length` bytes) is written next. */
  head(field: number, length: number): this {
    return this.tag(field, WIRE_LENGTH_DELIMITED).varint(length);
  }

  string(field: number, value: string, byteLength = utf8Length(value)): this {
    this.head(field, byteLength);
    if (byteLength === value.length && byteLength <= 64) {
      // ASCII and short: a byte loop is cheaper than a call into Buffer#write.
      for (let i = 0; i < byteLength; i++) this.buffer[this.pos++] = value.charCodeAt(i);
      return this;
    }
    this.pos += this.buffer.write(value, this.pos, byteLength, 'utf8');
    return this;
  }

  bytes(payload: Buffer): this {
    payload.copy(this.buffer, this.pos);
    this.pos += payload.length;
    return this;
  }

  double(field: number, value: number): this {
    this.tag(field, WIRE_FIXED64);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
    return this;
  }

  varintField(field: number, value: number): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  done(): Buffer {
    if (this.pos !== this.buffer.length)
      throw new Error(`protobuf size mismatch: wrote ${this.pos} of ${this.buffer.length} bytes`);
    return this.buffer;
  }
}

/** Size of a length-delimited field (tags here are one byte: field numbers below 16). */
export const delimitedSize = (length: number): number => 1 + varintSize(length) + length;
export const stringSize = (value: string): number => delimitedSize(utf8Length(value));

// google.protobuf.Value's oneof (struct.proto): null_value 1, number_value 2, string_value 3,
// bool_value 4, struct_value 5, list_value 6; ListValue.values 1; Struct.fields 1 (map entries
// with key 1, value 2).
function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 2;
  if (typeof value === 'number') return 9;
  if (typeof value === 'string') return stringSize(value);
  if (Array.isArray(value)) {
    let body = 0;
    for (const item of value) body += delimitedSize(valueSize(item));
    return delimitedSize(body);
  }
  return delimitedSize(structFieldsSize(value as Readonly<Record<string, unknown>>));
}

function writeValue(w: ProtoWriter, value: unknown): void {
  if (value === null || value === undefined) w.varintField(1, 0);
  else if (typeof value === 'number') w.double(2, value);
  else if (typeof value === 'string') w.string(3, value);
  else if (typeof value === 'boolean') w.varintField(4, value ? 1 : 0);
  else if (Array.isArray(value)) {
    let body = 0;
    for (const item of value) body += delimitedSize(valueSize(item));
    w.head(6, body);
    for (const item of value) writeValue(w.head(1, valueSize(item)), item);
  } else {
    const object = value as Readonly<Record<string, unknown>>;
    w.head(5, structFieldsSize(object));
    writeStructFields(w, object);
  }
}

const entrySize = (key: string, value: unknown): number =>
  stringSize(key) + delimitedSize(valueSize(value));

/** Size of a Struct's body: its map entries. */
export function structFieldsSize(object: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const key in object) size += delimitedSize(entrySize(key, object[key]));
  return size;
}

export function writeStructFields(w: ProtoWriter, object: Readonly<Record<string, unknown>>): void {
  for (const key in object) {
    const value = object[key];
    w.head(1, entrySize(key, value)).string(1, key);
    writeValue(w.head(2, valueSize(value)), value);
  }
}

// Struct entries whose values are strings, sized once and written without building a Value
// tree: what an allow adds per request (the webhook's headers, the delivery key).

/** One Struct map entry {key 1, value 2: Value{string_value 3}}. */
export const stringEntrySize = (key: string, value: string): number =>
  delimitedSize(stringSize(key) + delimitedSize(stringSize(value)));

export function writeStringEntry(w: ProtoWriter, key: string, value: string): void {
  const valueBody = stringSize(value);
  w.head(1, stringSize(key) + delimitedSize(valueBody))
    .string(1, key)
    .head(2, valueBody)
    .string(3, value);
}

/** An object whose every field is a string (an interface such as WebhookInfo fits). */
export type StringFields<T> = { readonly [K in keyof T]: string };

/** Size of the entries of a Struct of strings, in its own key order. */
export function stringFieldsSize<T extends StringFields<T>>(fields: T): number {
  let size = 0;
  for (const key in fields) size += stringEntrySize(key, fields[key]);
  return size;
}

/** One Struct map entry whose value is a Struct of strings: {key: {k: v, ...}}. */
export function nestedStringsEntrySize(key: string, fieldsSize: number): number {
  return delimitedSize(stringSize(key) + delimitedSize(delimitedSize(fieldsSize)));
}

export function writeNestedStringsEntry<T extends StringFields<T>>(
  w: ProtoWriter,
  key: string,
  fields: T,
  fieldsSize: number,
): void {
  const valueBody = delimitedSize(fieldsSize); // Value{struct_value 5: Struct}
  w.head(1, stringSize(key) + delimitedSize(valueBody))
    .string(1, key)
    .head(2, valueBody)
    .head(5, fieldsSize);
  for (const name in fields) writeStringEntry(w, name, fields[name]);
}

/** A Struct's body (its map entries) as bytes; concatenate more entries to extend it. */
export function encodeStructFields(
  object: Readonly<Record<string, unknown>>,
  kept = false,
): Buffer {
  const w = new ProtoWriter(structFieldsSize(object), kept);
  writeStructFields(w, object);
  return w.done();
}

/** `field` holding `payload` (a nested message, bytes). */
export function lengthDelimited(field: number, payload: Buffer): Buffer {
  return new ProtoWriter(delimitedSize(payload.length))
    .head(field, payload.length)
    .bytes(payload)
    .done();
}

export function stringField(field: number, value: string): Buffer {
  return new ProtoWriter(stringSize(value)).string(field, value).done();
}

/** A varint field (int32 >= 0, bool, enum). */
export function varintField(field: number, value: number): Buffer {
  return new ProtoWriter(1 + varintSize(value)).varintField(field, value).done();
}
