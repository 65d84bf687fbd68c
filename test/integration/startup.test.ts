// Start-up of the built `pps-gate serve`: a bad config or bad flag/env value stops it with a
// message an operator can act on, and PPS_GATE_* variables work in place of every flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  freePort,
  runGate,
  startGateProcess,
  writeConfigFile,
} from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';
import { EPHEMERAL_LOOPBACK_PORTS } from '../support/gate-child.js';

let issuer: LocalIssuer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  issuer = await startLocalIssuer({ project: 'pps-startup' });
});

afterAll(async () => {
  for (const cleanup of cleanups) cleanup();
  await issuer?.close();
});

const goodConfig = (): Record<string, unknown> => ({
  issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
  allowInsecureHttp: true,
});

function configFile(config: unknown): string {
  const file = writeConfigFile(config);
  cleanups.push(file.remove);
  return file.path;
}

const serveArgs = (path: string): string[] => [
  'serve',
  '--config',
  path,
  ...EPHEMERAL_LOOPBACK_PORTS,
];

// Each case is its own short-lived process, so they run side by side.
describe.concurrent('pps-gate serve with an invalid config', () => {
  it('exits non-zero naming an unknown top-level key and the file', async ({ expect }) => {
    const path = configFile({ ...goodConfig(), cacheTtl: 60 });
    const result = await runGate(serveArgs(path));
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain('"cacheTtl"');
  });

  it('exits non-zero naming an unknown key inside an issuer entry, with its index', async ({
    expect,
  }) => {
    const path = configFile({
      issuers: [{ issuer: issuer.issuer, audiences: ['a'], forwardTokens: true }],
      allowInsecureHttp: true,
    });
    const result = await runGate(serveArgs(path));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toMatch(/"forwardTokens".*issuers\[0\]/);
  });

  it('exits non-zero naming the issuer field and the file for an http issuer without allowInsecureHttp', async ({
    expect,
  }) => {
    const path = configFile({ issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }] });
    const result = await runGate(serveArgs(path));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain('issuers[0].issuer');
    expect(result.stderr).toMatch(/https/);
  });

  it('exits non-zero naming a missing config file', async ({ expect }) => {
    const path = `${configFile(goodConfig())}.missing`;
    const result = await runGate(serveArgs(path));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(path);
    expect(result.stderr).toContain('ENOENT');
  });
});

describe.concurrent('pps-gate serve with bad flags or environment', () => {
  it('exits 2 naming the flag and its variable for --grpc-port abc', async ({ expect }) => {
    const result = await runGate([...serveArgs(configFile(goodConfig())), '--grpc-port', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--grpc-port');
    expect(result.stderr).toContain('PPS_GATE_GRPC_PORT');
    expect(result.stderr).toContain('"abc"');
  });

  it('exits 2 naming the flag and its variable for PPS_GATE_LOG_LEVEL=loud', async ({ expect }) => {
    const result = await runGate(serveArgs(configFile(goodConfig())), {
      env: { PPS_GATE_LOG_LEVEL: 'loud' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--log-level');
    expect(result.stderr).toContain('PPS_GATE_LOG_LEVEL');
    expect(result.stderr).toContain('"loud"');
  });

  it('exits 2 for PPS_GATE_ADMIN_PORT=70000 (out of range)', async ({ expect }) => {
    const result = await runGate(['serve', '--config', configFile(goodConfig())], {
      env: { PPS_GATE_ADMIN_PORT: '70000' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PPS_GATE_ADMIN_PORT');
  });

  it('exits 2 for an unknown flag, showing the usage', async ({ expect }) => {
    const result = await runGate([...serveArgs(configFile(goodConfig())), '--grcp-port', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--grcp-port');
    expect(result.stderr).toContain('usage: pps-gate serve');
  });
});

describe('pps-gate serve configured through PPS_GATE_* variables only', () => {
  it('loads the config, binds the host and ports from the variables, honours the log level and answers checks', async () => {
    const ports = {
      grpcPort: await freePort(),
      httpPort: await freePort(),
      adminPort: await freePort(),
    };
    // warn hides the info-level "pps-gate serving" line, so the helper waits on /readyz instead.
    const gate = await startGateProcess({
      config: goodConfig(),
      viaEnv: true,
      ports,
      env: { PPS_GATE_LOG_LEVEL: 'warn' },
    });
    try {
      const denied = await fetch(gate.httpUrl, {
        method: 'POST',
        headers: webhookHeaders(undefined),
      });
      expect(denied.status).toBe(403);
      const allowed = await fetch(gate.httpUrl, {
        method: 'POST',
        headers: webhookHeaders(await issuer.sign()),
      });
      expect(allowed.status).toBe(200);
    } finally {
      expect(await gate.stop()).toEqual({ code: 0, signal: null });
    }
    const levels = gate.stdoutLines().map((line) => (JSON.parse(line) as { level: string }).level);
    expect(levels.filter((level) => level === 'info' || level === 'debug')).toEqual([]);
  });

  it('lets a flag win over its variable (--log-level info beats PPS_GATE_LOG_LEVEL=loud)', async () => {
    const gate = await startGateProcess({
      config: goodConfig(),
      args: ['--log-level', 'info'],
      env: { PPS_GATE_LOG_LEVEL: 'loud' },
    });
    expect(await gate.stop()).toEqual({ code: 0, signal: null });
    expect(gate.stdoutLines().some((line) => line.includes('"msg":"pps-gate serving"'))).toBe(true);
  });
});

describe('pps-gate serve stopped right after start-up', () => {
  it('drains and exits 0 on a SIGTERM sent the moment it reports serving', async () => {
    const gate = await startGateProcess({ config: goodConfig() });
    expect(await gate.stop()).toEqual({ code: 0, signal: null });
    expect(gate.stdoutLines().at(-1)).toContain('"msg":"stopped"');
  });
});
