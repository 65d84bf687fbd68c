import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger.js';
import { FATAL_EXIT_CODE, reportFatal } from './fatal-errors.js';

function capture(): {
  logger: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  let text = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  return {
    logger: createLogger('info', { format: 'json', destination }),
    lines: () =>
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('reportFatal', () => {
  it('logs the error with its stack at fatal, then exits 70', () => {
    const out = capture();
    const exits: number[] = [];
    reportFatal(
      { logger: out.logger, exit: (code) => exits.push(code) },
      'uncaughtException',
      new TypeError('cannot read x'),
    );
    expect(exits).toEqual([FATAL_EXIT_CODE]);
    expect(FATAL_EXIT_CODE).toBe(70);
    const [entry] = out.lines();
    expect(entry).toMatchObject({
      level: 'fatal',
      kind: 'uncaughtException',
      err: { type: 'TypeError', message: 'cannot read x' },
    });
    expect((entry!.err as { stack: string }).stack).toContain('TypeError: cannot read x');
  });

  it('wraps a thrown non-Error and uses the code it is given', () => {
    const out = capture();
    const exits: number[] = [];
    reportFatal(
      { logger: out.logger, exit: (code) => exits.push(code), code: 1 },
      'unhandledRejection',
      'just a string',
    );
    expect(exits).toEqual([1]);
    expect(out.lines()[0]).toMatchObject({
      kind: 'unhandledRejection',
      err: { message: 'non-Error thrown: just a string' },
    });
  });

  it('still exits when logging itself throws', () => {
    const exits: number[] = [];
    const broken = {
      fatal: () => {
        throw new Error('log down');
      },
      flush: () => undefined,
    } as unknown as ReturnType<typeof createLogger>;
    expect(() =>
      reportFatal(
        { logger: broken, exit: (code) => exits.push(code) },
        'uncaughtException',
        new Error('x'),
      ),
    ).toThrow('log down');
    expect(exits).toEqual([70]);
  });
});
