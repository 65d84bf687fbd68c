// The built server's stdout at --log-level debug after a mix of allowed and denied checks over
// both transports: every line is JSON for the log pipeline, and no token (or its signature) leaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { createEnvoyAuthClient, headersCheckRequest } from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { algNoneToken, webhookHeaders, withClaimsReplaced } from '../support/webhook-fixtures.js';

let issuer: LocalIssuer;
let stranger: LocalIssuer;
let gate: GateProcess;
const tokens: string[] = [];
let lines: string[] = [];
let stderr = '';

beforeAll(async () => {
  [issuer, stranger] = await Promise.all([
    startLocalIssuer({ project: 'pps-logs' }),
    startLocalIssuer({ project: 'pps-logs-stranger' }),
  ]);
  gate = await startGateProcess({
    config: {
      issuers: [{ issuer: issuer.issuer, audiences: [issuer.audience] }],
      allowInsecureHttp: true,
    },
    args: ['--log-level', 'debug'],
  });
  const nowSec = Math.floor(Date.now() / 1000);
  tokens.push(
    await issuer.sign({ claims: { email: 'sender@example.com' } }),
    await issuer.sign(),
    await issuer.sign({ claims: { iat: nowSec - 7200, exp: nowSec - 3600 } }),
    await issuer.sign({ claims: { aud: 'another-project' } }),
    await stranger.sign(),
    withClaimsReplaced(await issuer.sign(), (claims) => (claims.sub = 'admin')),
    await issuer.sign({ key: await issuer.unpublishedKey(), kid: 'never-published' }),
    algNoneToken(
      { iss: issuer.issuer, aud: issuer.audience, sub: 's', iat: nowSec, exp: nowSec + 60 },
      issuer.publishedKids[0]!,
    ),
  );
  const envoy = createEnvoyAuthClient(gate.grpcAddress);
  try {
    for (const token of tokens) {
      await envoy.check(headersCheckRequest(webhookHeaders(token)));
      await fetch(gate.httpUrl, { method: 'POST', headers: webhookHeaders(token) });
      // A good token with bad webhook headers: denied after the token was verified.
      await envoy.check(headersCheckRequest(webhookHeaders(token, { 'x-pps-webhook-id': 'nope' })));
    }
  } finally {
    envoy.close();
  }
  // Stopping flushes every line; the assertions read the complete output.
  await gate.stop();
  lines = gate.stdoutLines();
  stderr = gate.stderr();
});

afterAll(async () => {
  await Promise.all([issuer?.close(), stranger?.close()]);
});

describe('pps-gate serve --log-level debug after allowed and denied checks', () => {
  it('logged a decision line for every check, allows and denies alike', () => {
    const decisions = lines
      .map((line) => JSON.parse(line) as { decision?: string })
      .filter((entry) => entry.decision !== undefined);
    expect(decisions.length).toBe(tokens.length * 3);
    expect(decisions.filter((entry) => entry.decision === 'allow').length).toBe(4);
    expect(decisions.filter((entry) => entry.decision === 'deny').length).toBe(
      tokens.length * 3 - 4,
    );
  });

  it('wrote only JSON lines to stdout', () => {
    expect(lines.length).toBeGreaterThan(tokens.length * 3);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  it('never wrote a token, its signature or its encoded claims to stdout or stderr', () => {
    const output = `${lines.join('\n')}\n${stderr}`;
    for (const token of tokens) {
      const [, payload, signature] = token.split('.') as [string, string, string];
      expect(output).not.toContain(token);
      expect(output).not.toContain(signature);
      expect(output).not.toContain(payload);
    }
  });
});
