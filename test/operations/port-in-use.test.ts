// A port that is already taken, against the built server: one clear line naming the address and
// the flag, exit status 1, and no stack trace anywhere (it is an operator's problem, not a bug).
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfigFile } from '../support/start-gate-process.js';
import { runGate } from '../support/gate-child.js';

let squatter: Server;
let port: number;
const config = writeConfigFile({
  issuers: [{ issuer: 'https://issuer.example/p', audiences: ['p'] }],
});

beforeAll(async () => {
  squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  port = (squatter.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => squatter.close(resolve));
  config.remove();
});

const PORT_FLAGS = ['--grpc-port', '--http-port', '--admin-port'] as const;

describe('serve with a port already in use', () => {
  for (const flag of PORT_FLAGS) {
    it(`exits 1 with one line naming 127.0.0.1:PORT and ${flag}, without a stack trace`, async () => {
      const ports = PORT_FLAGS.flatMap((f) => [f, f === flag ? String(port) : '0']);
      const result = await runGate([
        'serve',
        '--config',
        config.path,
        '--host',
        '127.0.0.1',
        '--log-format',
        'json',
        ...ports,
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `pps-gate: cannot listen on 127.0.0.1:${port} (${flag}): address already in use\n`,
      );
      const fatal = result.stdout
        .split('\n')
        .filter((line) => line.includes('"level":"fatal"'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(fatal).toEqual([
        expect.objectContaining({
          msg: 'cannot start: a port cannot be bound',
          error: `cannot listen on 127.0.0.1:${port} (${flag}): address already in use`,
        }),
      ]);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/\n\s+at |"stack"/);
    });
  }
});
