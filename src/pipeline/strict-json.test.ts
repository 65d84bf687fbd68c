// The strict JSON object parser: same values as JSON.parse, but duplicates and oddities refused.
import { describe, expect, it } from 'vitest';
import { parseStrictJsonObject, StrictJsonError } from './strict-json.js';

describe('parseStrictJsonObject', () => {
  it('parses what JSON.parse parses, for a typical claims set', () => {
    const text =
      ' {"iss":"https://a.example/p","aud":["x","y"],"exp":1.7e9,"n":null,"t":true,"o":{"q":"\\u00e9\\n"}} ';
    expect(parseStrictJsonObject(text)).toEqual(JSON.parse(text));
  });

  it('turns 1e400 into Infinity, as JSON.parse does, so claim checks must test finiteness', () => {
    expect(parseStrictJsonObject('{"exp":1e400}').exp).toBe(Infinity);
  });

  it('rejects duplicate names at any depth', () => {
    expect(() => parseStrictJsonObject('{"a":1,"a":1}')).toThrow(StrictJsonError);
    expect(() => parseStrictJsonObject('{"o":{"a":1,"b":[{"c":1,"c":2}]}}')).toThrow(
      'duplicate member name "c"',
    );
  });

  it('rejects a non-object, trailing text, raw control characters and deep nesting', () => {
    expect(() => parseStrictJsonObject('[]')).toThrow('not a JSON object');
    expect(() => parseStrictJsonObject('{} {}')).toThrow('trailing characters');
    expect(() => parseStrictJsonObject('{"a":"x\ny"}')).toThrow('control character');
    expect(() => parseStrictJsonObject(`{"a":${'['.repeat(40)}${']'.repeat(40)}}`)).toThrow(
      'nested too deeply',
    );
    expect(() => parseStrictJsonObject('{"a":01}')).toThrow(StrictJsonError);
    expect(() => parseStrictJsonObject('{"a":1,}')).toThrow(StrictJsonError);
    expect(() => parseStrictJsonObject('{"a":"\\x41"}')).toThrow();
    expect(() => parseStrictJsonObject('{"a":"unterminated}')).toThrow(StrictJsonError);
  });
});
