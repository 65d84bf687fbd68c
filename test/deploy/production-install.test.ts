// The image's runtime layer, reproduced without Docker: a production-only install
// (npm ci --omit=dev) of the built package starts the server and answers health checks.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/gate-child.js';
import { repoRoot } from '../support/helm-cli.js';

const run = promisify(execFile);

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('a production-only install of the built package', () => {
  const appDir = mkdtempSync(join(tmpdir(), 'pps-gate-prod-'));
  let issuer: Server | undefined;
  let child: ChildProcess | undefined;
  let output = '';
  const ports = { grpc: 0, http: 0, admin: 0 };

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist', 'main.js')))
      throw new Error('dist/main.js is missing: run `npm run build`');
    for (const entry of ['package.json', 'package-lock.json', 'dist', 'proto']) {
      cpSync(join(repoRoot, entry), join(appDir, entry), { recursive: true });
    }
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: appDir,
    });

    // A loopback OIDC issuer with an empty key set, so the config names a reachable issuer.
    issuer = createServer((req, res) => {
      const base = `http://127.0.0.1:${(issuer!.address() as { port: number }).port}`;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration')
        res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/jwks` }));
      else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [] }));
      else res.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => issuer!.listen(0, '127.0.0.1', resolve));
    const issuerUrl = `http://127.0.0.1:${(issuer.address() as { port: number }).port}`;
    writeFileSync(
      join(appDir, 'issuers.yaml'),
      `issuers:\n  - issuer: ${issuerUrl}\n    audiences: [test]\nallowInsecureHttp: true\n`,
    );

    Object.assign(ports, {
      grpc: await freePort(),
      http: await freePort(),
      admin: await freePort(),
    });
    child = spawn(
      process.execPath,
      [
        'dist/main.js',
        'serve',
        '--config',
        join(appDir, 'issuers.yaml'),
        '--host',
        '127.0.0.1',
        '--grpc-port',
        String(ports.grpc),
        '--http-port',
        String(ports.http),
        '--admin-port',
        String(ports.admin),
      ],
      {
        cwd: appDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    await new Promise((resolve) => (issuer ? issuer.close(resolve) : resolve(undefined)));
    rmSync(appDir, { recursive: true, force: true });
  });

  it('installs no dev dependency', () => {
    const lock = JSON.parse(readFileSync(join(appDir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.dev)
      .map(([path]) => path);
    expect(devOnly.length).toBeGreaterThan(0);
    for (const path of devOnly.slice(0, 20))
      expect(existsSync(join(appDir, path)), path).toBe(false);
  });

  it('starts the server and answers GET /healthz with 200', async () => {
    const response = await waitFor(`http://127.0.0.1:${ports.admin}/healthz`, 20_000);
    expect(response.status, output).toBe(200);
  }, 30_000);

  it('answers the helm test hook (`node dist/main.js probe`) using only production node_modules', async () => {
    await waitFor(`http://127.0.0.1:${ports.admin}/healthz`, 20_000);
    const target = `127.0.0.1:${ports.grpc}`;
    const { stdout } = await run(process.execPath, ['dist/main.js', 'probe', target, ''], {
      cwd: appDir,
    });
    expect(stdout).toContain(`"" at ${target}: SERVING`);
  }, 30_000);
});
