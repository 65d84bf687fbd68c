// `pps-gate explain` as a user runs it (the built CLI as a child process) against real loopback
// OIDC issuers: every step with its verdict, the answer and its HTTP status, keys fetched as
// serve fetches them, and never the token.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { runGate, writeConfigFile, type RunResult } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let trusted: LocalIssuer;
let down: LocalIssuer;
let stranger: LocalIssuer;
let configFile: ReturnType<typeof writeConfigFile>;

beforeAll(async () => {
  [trusted, down, stranger] = await Promise.all([
    startLocalIssuer({ project: 'explain-trusted' }),
    startLocalIssuer({ project: 'explain-down' }),
    startLocalIssuer({ project: 'explain-stranger' }),
  ]);
  down.mode = 'down';
  configFile = writeConfigFile({
    issuers: [
      { issuer: trusted.issuer, audiences: [trusted.audience] },
      { issuer: down.issuer, audiences: '*' },
    ],
    allowInsecureHttp: true,
    jwks: { fetchTimeoutMs: 1000 },
  });
});

afterAll(async () => {
  configFile?.remove();
  await Promise.all([trusted, down, stranger].map((i) => i?.close()));
});

/** Runs explain with the token in a file and the other webhook headers as --header flags. */
async function explain(
  token: string,
  overrides: Record<string, string | undefined> = {},
  extra: string[] = [],
): Promise<RunResult> {
  const tokenPath = join(configFile.dir, 'token.txt');
  writeFileSync(tokenPath, `${token}\n`);
  const headers = Object.entries(webhookHeaders(undefined, overrides)).flatMap(([name, value]) => [
    '--header',
    `${name}: ${value}`,
  ]);
  return runGate(
    ['explain', '--config', configFile.path, '--token-file', tokenPath, ...headers, ...extra],
    { timeoutMs: 30_000 },
  );
}

function stepLine(stdout: string, step: string): string {
  return stdout.split('\n').find((line) => new RegExp(`^\\s+\\d\\. ${step}\\s`).test(line)) ?? '';
}

function expectNoToken(result: RunResult, token: string): void {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  for (const part of [token, header, payload, signature]) {
    expect(result.stdout).not.toContain(part);
    expect(result.stderr).not.toContain(part);
  }
}

describe('pps-gate explain', () => {
  it('walks an allowed webhook through all eight steps and answers 200 (exit 0)', async () => {
    const token = await trusted.sign();
    const result = await explain(token);
    expect(result.code, result.stderr).toBe(0);
    const steps = [
      'framing',
      'decode',
      'issuer',
      'claims',
      'key',
      'signature',
      'webhook headers',
      'policy',
    ];
    for (const step of steps) expect(stepLine(result.stdout, step)).toMatch(/\spass\s/);
    expect(stepLine(result.stdout, 'key')).toContain(trusted.publishedKids[0]);
    expect(result.stdout).toContain('answer: allow, HTTP 200');
    expectNoToken(result, token);
  });

  it('points at the signature step for a forged token (403, permanent; later steps skipped)', async () => {
    const forged = await trusted.sign({
      key: await trusted.unpublishedKey(),
      kid: trusted.publishedKids[0],
    });
    const result = await explain(forged);
    expect(result.code).toBe(1);
    expect(stepLine(result.stdout, 'key')).toMatch(/\spass\s/);
    expect(stepLine(result.stdout, 'signature')).toMatch(/\sFAIL\s+invalid_signature: /);
    expect(stepLine(result.stdout, 'webhook headers')).toMatch(/\s-$/);
    expect(stepLine(result.stdout, 'policy')).toMatch(/\s-$/);
    expect(result.stdout).toContain(
      'answer: deny invalid_signature, HTTP 403 (gRPC code 16); permanent',
    );
    expectNoToken(result, forged);
  });

  it.each([
    {
      name: 'a token from an issuer that is not configured',
      token: () => stranger.sign(),
      step: 'issuer',
      answer: 'deny untrusted_issuer, HTTP 403',
    },
    {
      name: 'an expired token',
      token: () => {
        const nowS = Math.floor(Date.now() / 1000);
        return trusted.sign({ claims: { iat: nowS - 7200, exp: nowS - 3600 } });
      },
      step: 'claims',
      answer: 'deny token_expired, HTTP 403',
    },
    {
      name: 'a kid the issuer does not publish (the fresh key set proves it absent)',
      token: async () => trusted.sign({ key: await trusted.unpublishedKey() }),
      step: 'key',
      answer: 'deny unknown_key, HTTP 403',
    },
    {
      name: 'an issuer whose keys cannot be fetched',
      token: () => down.sign(),
      step: 'key',
      answer: 'deny keys_unavailable, HTTP 503 (gRPC code 14); retryable',
    },
    {
      name: 'a malformed bearer token',
      token: () => Promise.resolve('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'),
      step: 'framing',
      answer: 'deny malformed_token, HTTP 403',
    },
  ])('names the failing step for $name', async ({ token, step, answer }) => {
    const value = await token();
    const result = await explain(value);
    expect(result.code, result.stderr).toBe(1);
    expect(stepLine(result.stdout, step)).toMatch(/\sFAIL\s/);
    expect(result.stdout).toContain(`answer: ${answer}`);
    expectNoToken(result, value);
  });

  it('names the bad webhook header with a good token (400)', async () => {
    const result = await explain(await trusted.sign(), { 'x-pps-topic': undefined });
    expect(result.code).toBe(1);
    expect(stepLine(result.stdout, 'signature')).toMatch(/\spass\s/);
    expect(stepLine(result.stdout, 'webhook headers')).toMatch(
      /FAIL\s+invalid_webhook_headers: .*x-pps-topic/i,
    );
    expect(result.stdout).toContain('answer: deny invalid_webhook_headers, HTTP 400');
  });

  it('reads the whole request from a header dump, and prints JSON on --json', async () => {
    const token = await trusted.sign();
    const dump = join(configFile.dir, 'request.txt');
    writeFileSync(
      dump,
      `POST /webhooks/orders HTTP/1.1\r\n${Object.entries(webhookHeaders(token))
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n')}\r\n\r\n`,
    );
    const result = await runGate([
      'explain',
      '--config',
      configFile.path,
      '--request-file',
      dump,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      allowed: boolean;
      httpStatus: number;
      steps: { step: string; verdict: string }[];
    };
    expect(parsed).toMatchObject({ allowed: true, httpStatus: 200 });
    expect(parsed.steps.map((s) => s.verdict)).toEqual(Array(8).fill('pass'));
    expectNoToken(result, token);
  });

  it('refuses bad usage with status 2 and says what is missing', async () => {
    const noToken = await runGate(['explain', '--config', configFile.path]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('no token');
    const noConfig = await runGate(['explain', '--token', 'x']);
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain('--config FILE is required');
    const badConfig = writeConfigFile({ issuers: [] });
    const invalid = await runGate(['explain', '--config', badConfig.path, '--token', 'x']);
    badConfig.remove();
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain('issuers');
  });
});
