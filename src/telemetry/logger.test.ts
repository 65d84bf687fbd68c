import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function sink(isTTY: boolean): Writable & { text: () => string; isTTY?: boolean } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  }) as Writable & { text: () => string; isTTY?: boolean };
  stream.isTTY = isTTY;
  stream.text = () => text;
  return stream;
}

describe('createLogger', () => {
  it('writes one JSON object per line when the output is not a terminal (auto)', () => {
    const out = sink(false);
    createLogger('info', { destination: out }).info({ issuer: 'i' }, 'hello');
    const entry = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'info', service: 'pps-gate', issuer: 'i', msg: 'hello' });
    expect(typeof entry.time).toBe('string');
  });

  it('writes human-readable lines on a terminal (auto) and when asked for pretty', () => {
    for (const out of [sink(true), sink(false)]) {
      createLogger('info', {
        destination: out,
        format: out.isTTY === true ? 'auto' : 'pretty',
      }).info({ issuer: 'i' }, 'hello');
      expect(() => JSON.parse(out.text().trim()) as unknown).toThrow();
      expect(out.text()).toContain('hello');
      expect(out.text()).toContain('issuer');
    }
  });

  it('keeps JSON on a terminal when told to', () => {
    const out = sink(true);
    createLogger('info', { destination: out, format: 'json' }).info('hello');
    expect(JSON.parse(out.text().trim())).toMatchObject({ msg: 'hello' });
  });

  it('censors authorization, token and claims fields as a second line of defence', () => {
    const out = sink(false);
    createLogger('info', { destination: out }).info(
      {
        headers: { authorization: 'Bearer abc.def.ghi' },
        token: 'abc.def.ghi',
        claims: { email: 'x@y' },
      },
      'm',
    );
    expect(out.text()).not.toMatch(/abc\.def|x@y/);
    expect(JSON.parse(out.text())).toMatchObject({
      headers: { authorization: '[redacted]' },
      token: '[redacted]',
      claims: '[redacted]',
    });
  });
});
