// An uncaught exception or unhandled rejection in a serving gate is logged through pino as one
// JSON fatal line (with the stack, never a token) and the process exits 70 instead of limping on.
// The bug is planted with `node --import`: a signal handler that throws or rejects on demand.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPHEMERAL_LOOPBACK_PORTS, spawnGate } from '../support/gate-child.js';

const PLANTED_BUG = [
  "process.on('SIGUSR2', () => { throw new Error('planted bug'); });",
  "process.on('SIGHUP', () => { void Promise.reject(new Error('planted rejection')); });",
].join('');

function configFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pps-gate-fatal-')), 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      issuers: [{ issuer: 'http://127.0.0.1:9/none', audiences: ['a'] }],
      allowInsecureHttp: true,
    }),
  );
  return path;
}

describe('a bug at runtime', () => {
  it.each([
    ['SIGUSR2', 'uncaughtException', 'planted bug'],
    ['SIGHUP', 'unhandledRejection', 'planted rejection'],
  ] as const)('on %s: logs the %s at fatal as JSON and exits 70', async (signal, kind, message) => {
    const args = ['--config', configFile(), ...EPHEMERAL_LOOPBACK_PORTS, '--log-format', 'json'];
    const gate = spawnGate(['serve', ...args], {
      nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(PLANTED_BUG)}`],
    });
    await gate.waitForLog('pps-gate serving');
    gate.child.kill(signal);
    expect(await gate.exited).toEqual({ code: 70, signal: null });
    const entries = gate.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const fatal = entries.at(-1)!;
    expect(fatal).toMatchObject({
      level: 'fatal',
      service: 'pps-gate',
      kind,
      err: { type: 'Error', message },
    });
    expect((fatal.err as { stack: string }).stack).toContain(message);
    expect(gate.stderr()).toBe('');
  });
});
