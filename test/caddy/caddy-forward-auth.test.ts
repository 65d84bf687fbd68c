// End to end with Debian's real caddy: webhook sender -> Caddy (forward_auth, using the snippets
// in deploy/caddy/pps-gate.caddy verbatim) -> pps-gate's HTTP forward-auth port -> the webhook app.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingRelay, type CountingRelay } from '../nginx/counting-relay.js';
import { startGateFixture, type GateFixture } from '../nginx/gate-fixture.js';
import { freePort } from '../support/gate-child.js';
import { describeForwardAuthProxy } from '../support/forward-auth-proxy-contract.js';
import { findBinary, startProxy, type ProxyProcess } from '../support/proxy-process.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/caddy/', import.meta.url));
const CADDY = findBinary(['/usr/bin/caddy', '/usr/local/bin/caddy'], 'caddy');

// Caddy keeps its state under XDG dirs: point them into the test's temp dir.
const caddyEnv = (dir: string): Record<string, string> => ({
  HOME: dir,
  XDG_DATA_HOME: join(dir, 'data'),
  XDG_CONFIG_HOME: join(dir, 'config'),
});

function site(port: number, gate: string, app: number): string {
  return `http://127.0.0.1:${port} {
	route /webhooks/* {
		import pps_gate_check ${gate}
		reverse_proxy 127.0.0.1:${app}
	}
	import pps_gate_errors
}
`;
}

let f: GateFixture;
let relay: CountingRelay;
let caddy: ProxyProcess;

beforeAll(async () => {
  f = await startGateFixture('caddy-e2e');
  relay = await startCountingRelay(f.gate.httpPort);
  const deadGate = await freePort();
  caddy = await startProxy('caddy', CADDY, 2, (dir, [live, dead]) => {
    const config = join(dir, 'Caddyfile');
    writeFileSync(
      config,
      [
        // No admin endpoint (it would bind a fixed port), no automatic HTTPS on loopback.
        '{\n\tadmin off\n\tauto_https off\n}',
        `import ${join(DEPLOY, 'pps-gate.caddy')}`,
        site(live!, `127.0.0.1:${relay.port}`, f.app.port),
        site(dead!, `127.0.0.1:${deadGate}`, f.app.port),
      ].join('\n'),
    );
    return { args: ['run', '--config', config, '--adapter', 'caddyfile'], env: caddyEnv(dir) };
  });
});

afterAll(async () => {
  await caddy?.stop();
  await relay?.close();
  await f?.close();
});

describeForwardAuthProxy('Caddy forward_auth in front of pps-gate (deploy/caddy)', () => ({
  dedupMarks: false,
  gate: f,
  relay,
  port: caddy.ports[0]!,
  deadGatePort: caddy.ports[1]!,
}));

describe('deploy/caddy/Caddyfile', () => {
  it('is a complete config that caddy validate accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-caddy-validate-'));
    try {
      const result = spawnSync(
        CADDY,
        ['validate', '--config', join(DEPLOY, 'Caddyfile'), '--adapter', 'caddyfile'],
        {
          cwd: DEPLOY,
          encoding: 'utf8',
          timeout: 20_000,
          env: { ...process.env, ...caddyEnv(dir) },
        },
      );
      expect(result.stderr + result.stdout).toContain('Valid configuration');
      expect(result.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
