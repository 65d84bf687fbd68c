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
    const c = this.text.charAt(this.pos);
    if (c === '{') return this.parseObject(depth);
    if (c === '[') return this.parseArray(depth);
    if (c === '"') return this.parseString();
    return this.parseLiteral();
  }

  private parseObject(depth: number): Record<string, unknown> {
    this.pos++; // {
    const result: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text.charAt(this.pos) === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charAt(this.pos) !== '"') throw new StrictJsonError('expected a member name');
      const name = this.parseString();
      if (seen.has(name)) throw new StrictJsonError(`duplicate member name "${name}"`);
      seen.add(name);
      this.skipWhitespace();
      if (this.text.charAt(this.pos) !== ':') throw new StrictJsonError('expected ":"');
      this.pos++;
      // defineProperty: a member called "__proto__" must stay a plain own property.
      Object.defineProperty(result, name, {
        value: this.parseValue(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipWhitespace();
      const next = this.text.charAt(this.pos++);
      if (next === '}') return result;
      if (next !== ',') throw new StrictJsonError('expected "," or "}"');
    }
  }

  private parseArray(depth: number): unknown[] {
    this.pos++; // [
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.text.charAt(this.pos) === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.parseValue(depth + 1));
      this.skipWhitespace();
      const next = this.text.charAt(this.pos++);
      if (next === ']') return result;
      if (next !== ',') throw new StrictJsonError('expected "," or "]"');
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) throw new StrictJsonError('unterminated string');
      if (c < 0x20) throw new StrictJsonError('control character in string');
      if (c === 0x5c) this.pos += 2;
      else if (c === 0x22) break;
      else this.pos++;
    }
    this.pos++; // closing quote
    // Delegate escape decoding to JSON.parse, which validates \u and other escapes exactly.
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private parseLiteral(): unknown {
    LITERAL.lastIndex = this.pos;
    const match = LITERAL.exec(this.text);
    if (match === null) throw new StrictJsonError('invalid JSON value');
    this.pos += match[0].length;
    return JSON.parse(match[0]) as unknown;
  }
}
