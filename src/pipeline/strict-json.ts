// A strict JSON object parser for JOSE headers and JWT claims sets. JSON.parse keeps the last
// of duplicate member names; RFC 7515 §5.2 and RFC 7519 §4 let a recipient reject them instead,
// and we do, so no two parsers (ours and upstream's) can disagree about a claim.

export class StrictJsonError extends Error {}

const MAX_DEPTH = 32;
// Sticky: matches a literal exactly at lastIndex without slicing the input.
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseStrictJsonObject(text: string): Record<string, unknown> {
  const parser = new Parser(text);
  parser.skipWhitespace();
  if (text.charCodeAt(parser.pos) !== 0x7b) throw new StrictJsonError('not a JSON object');
  const value = parser.parseValue(0);
  parser.skipWhitespace();
  if (parser.pos !== text.length) throw new StrictJsonError('trailing characters after JSON');
  return value as Record<string, unknown>;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  parseValue(depth: number): unknown {
    if (depth > MAX_DEPTH) throw new StrictJsonError('JSON nested too deeply');
    this.skipWhitespace();
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.parseObject(depth);
    if (c === 0x5b) return this.parseArray(depth);
    if (c === 0x22) return this.parseString();
    return this.parseLiteral();
  }

  private parseObject(depth: number): Record<string, unknown> {
    this.pos++; // {
    // A null-prototype object: a member called "__proto__" stays a plain own property, and the
    // own-property test below is the duplicate check.
    const result = Object.create(null) as Record<string, unknown>;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x22)
        throw new StrictJsonError('expected a member name');
      const name = this.parseString();
      if (name in result) throw new StrictJsonError(`duplicate member name "${name.slice(0, 40)}"`);
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) throw new StrictJsonError('expected ":"');
      this.pos++;
      result[name] = this.parseValue(depth + 1);
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x7d) return result;
      if (next !== 0x2c) throw new StrictJsonError('expected "," or "}"');
    }
  }

  private parseArray(depth: number): unknown[] {
    this.pos++; // [
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const next = this.text.charCodeAt(this.pos++);
      if (next === 0x5d) return result;
      if (next !== 0x2c) throw new StrictJsonError('expected "," or "]"');
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let escaped = false;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) throw new StrictJsonError('unterminated string');
      if (c < 0x20) throw new StrictJsonError('control character in string');
      if (c === 0x5c) {
        escaped = true;
        this.pos += 2;
      } else if (c === 0x22) break;
      else this.pos++;
    }
    this.pos++; // closing quote
    // Plain strings are sliced; escapes are decoded by JSON.parse, which validates them exactly.
    return escaped
      ? (JSON.parse(this.text.slice(start, this.pos)) as string)
      : this.text.slice(start + 1, this.pos - 1);
  }

  private parseLiteral(): unknown {
    LITERAL.lastIndex = this.pos;
    const match = LITERAL.exec(this.text);
    if (match === null) throw new StrictJsonError('invalid JSON value');
    const literal = match[0];
    this.pos += literal.length;
    // The regex admits only JSON's number grammar, where Number() and JSON.parse agree.
    return literal === 'true'
      ? true
      : literal === 'false'
        ? false
        : literal === 'null'
          ? null
          : Number(literal);
  }
}
