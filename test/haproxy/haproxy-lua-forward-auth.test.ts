// End to end with Debian's real haproxy: webhook sender -> HAProxy (the lua.pps_gate_check
// action of deploy/haproxy/pps-gate.lua, the frontend of deploy/haproxy/haproxy.cfg with only
// its addresses changed) -> pps-gate's HTTP forward-auth port -> the webhook app.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingRelay, type CountingRelay } from '../nginx/counting-relay.js';
import { startGateFixture, type GateFixture } from '../nginx/gate-fixture.js';
import { freePort } from '../support/gate-child.js';
import { describeForwardAuthProxy } from '../support/forward-auth-proxy-contract.js';
import { findBinary, startProxy, type ProxyProcess } from '../support/proxy-process.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/haproxy/', import.meta.url));
const HAPROXY = findBinary(['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'], 'haproxy');

/** deploy/haproxy/haproxy.cfg with its addresses replaced; every other line as shipped. */
function configFor(listen: number, gatePort: number, appPort: number): string {
  const replacements: [string, string][] = [
    ['lua-load /etc/haproxy/pps-gate.lua', `lua-load ${join(DEPLOY, 'pps-gate.lua')}`],
    ['http://127.0.0.1:9292/haproxy', `http://127.0.0.1:${gatePort}/haproxy`],
    ['server app 127.0.0.1:3000', `server app 127.0.0.1:${appPort}`],
    ['bind :8080', `bind 127.0.0.1:${listen}`],
  ];
  let text = readFileSync(join(DEPLOY, 'haproxy.cfg'), 'utf8');
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`deploy/haproxy/haproxy.cfg no longer has "${from}"`);
    text = text.replace(from, to);
  }
  return text;
}

function startHaproxy(gatePort: number, appPort: number): Promise<ProxyProcess> {
  return startProxy('haproxy', HAPROXY, 1, (dir, [listen]) => {
    const config = join(dir, 'haproxy.cfg');
    writeFileSync(config, configFor(listen!, gatePort, appPort));
    return { args: ['-db', '-f', config] };
  });
}

let f: GateFixture;
let relay: CountingRelay;
let live: ProxyProcess;
let dead: ProxyProcess;

beforeAll(async () => {
  f = await startGateFixture('haproxy-e2e');
  relay = await startCountingRelay(f.gate.httpPort);
  [live, dead] = await Promise.all([
    startHaproxy(relay.port, f.app.port),
    startHaproxy(await freePort(), f.app.port),
  ]);
});

afterAll(async () => {
  await Promise.all([live?.stop(), dead?.stop()]);
  await relay?.close();
  await f?.close();
});

describeForwardAuthProxy('HAProxy with the pps-gate Lua action (deploy/haproxy)', () => ({
  dedupMarks: true,
  gate: f,
  relay,
  port: live.ports[0]!,
  deadGatePort: dead.ports[0]!,
}));

describe('deploy/haproxy/haproxy.cfg', () => {
  it('is a complete config that haproxy -c accepts (with the Lua file where it says)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-haproxy-c-'));
    try {
      const config = join(dir, 'haproxy.cfg');
      writeFileSync(
        config,
        readFileSync(join(DEPLOY, 'haproxy.cfg'), 'utf8').replace(
          'lua-load /etc/haproxy/pps-gate.lua',
          `lua-load ${join(DEPLOY, 'pps-gate.lua')}`,
        ),
      );
      const result = spawnSync(HAPROXY, ['-c', '-f', config], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.stdout + result.stderr).toContain('Configuration file is valid');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
