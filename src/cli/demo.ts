// `pps-gate demo`: the whole main job on loopback, no cluster and no cloud. A local OIDC issuer,
// the gate, a sample upstream and an Envoy-like relay; a handful of webhooks go through and a
// table shows what each got. Then a curl line with a fresh token, and it keeps serving.
import { randomUUID } from 'node:crypto';
import { createEnvoyLikeRelay } from '../dev/envoy-like-relay.js';
import { startLocalIssuer } from '../dev/local-issuer.js';
import { startSampleUpstream } from '../dev/sample-upstream.js';
import { startLoopbackGate } from '../gate/start-loopback-gate.js';
import { webhookHeaders } from '../dev/webhook-headers.js';

interface DemoCase {
  readonly name: string;
  readonly token: (sign: (claims?: Record<string, unknown>) => Promise<string>) => Promise<string>;
  readonly headers?: Record<string, string | undefined>;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]): string =>
    row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ');
  return [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
  ].join('\n');
}

export async function demoCommand(argv: readonly string[]): Promise<number> {
  const once = argv.includes('--once');
  const issuer = await startLocalIssuer({ project: 'pps-local-dev-376022' });
  const stranger = await startLocalIssuer({ project: 'someone-else' });
  // Trusted, but its discovery/JWKS endpoints are down from the start: an outage, not a bad token.
  const unreachable = await startLocalIssuer({ project: 'pps-outage-demo' });
  unreachable.mode = 'down';
  const upstream = await startSampleUpstream();
  const gate = await startLoopbackGate(
    [
      { issuer: issuer.issuer, audiences: [issuer.audience] },
      { issuer: unreachable.issuer, audiences: [unreachable.audience] },
    ],
    'demo (embedded)',
  );
  const relay = createEnvoyLikeRelay(`127.0.0.1:${gate.grpcPort}`, upstream.url);

  const nowSec = Math.floor(Date.now() / 1000);
  const cases: DemoCase[] = [
    { name: 'valid webhook', token: (sign) => sign() },
    {
      name: 'valid, spoofed x-pps-auth-subject',
      token: (sign) => sign(),
      headers: { 'x-pps-auth-subject': 'admin' },
    },
    { name: 'expired token', token: (sign) => sign({ iat: nowSec - 7200, exp: nowSec - 3600 }) },
    { name: 'wrong audience', token: (sign) => sign({ aud: 'another-project' }) },
    { name: 'untrusted issuer', token: () => stranger.sign() },
    { name: 'trusted issuer down (retry)', token: () => unreachable.sign() },
    { name: 'tampered payload', token: async (sign) => tamper(await sign()) },
    { name: 'no token', token: () => Promise.resolve(''), headers: { authorization: undefined } },
    {
      name: 'bad webhook id header',
      token: (sign) => sign(),
      headers: { 'x-pps-webhook-id': 'not-a-uuid' },
    },
    {
      name: 'bad triggered-at header',
      token: (sign) => sign(),
      headers: { 'x-pps-triggered-at': 'yesterday' },
    },
  ];
  const rows = [['webhook', 'status', 'reason', 'upstream saw']];
  for (const demoCase of cases) {
    const token = await demoCase.token((claims) => issuer.sign({ claims }));
    const before = upstream.received.length;
    const result = await relay.send(
      '/webhooks/orders',
      webhookHeaders(token, demoCase.headers),
      '{"order":"A-1001"}',
    );
    const seen = upstream.received[before];
    const saw =
      seen === undefined
        ? '(nothing)'
        : `subject=${String(seen.headers['x-pps-auth-subject'])}, authorization ${seen.headers.authorization === undefined ? 'removed' : 'kept'}`;
    rows.push([demoCase.name, String(result.status), result.reason ?? '-', saw]);
  }
  process.stdout.write(
    `\npps-gate demo: issuer ${issuer.issuer}, gate gRPC :${gate.grpcPort}, HTTP :${gate.httpPort}\n\n${table(rows)}\n\n` +
      `403/400 are the sender's fault and final; 503 comes with retry-after, so the sender retries and nothing is lost.\n\n`,
  );

  const fresh = await issuer.sign();
  process.stdout.write(
    `Try your own (forward-auth over HTTP; the token is valid for an hour):\n` +
      `curl -i http://127.0.0.1:${gate.httpPort}/webhooks/orders -H 'Authorization: Bearer ${fresh}' ` +
      `-H 'X-Pps-Topic: orders/placed' -H 'X-Pps-Tenant-Id: OU1243' -H 'X-Pps-Webhook-Id: ${randomUUID()}' ` +
      `-H 'X-Pps-Triggered-At: 2024-01-1T10:00:00.7777748Z'\n\n`,
  );
  const shutdown = async (): Promise<void> => {
    relay.close();
    await gate.close(1000);
    await Promise.all([issuer.close(), stranger.close(), unreachable.close(), upstream.close()]);
  };
  if (once) {
    await shutdown();
    return 0;
  }
  process.stdout.write('Serving until Ctrl-C.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await shutdown();
  return 0;
}

/** Flips one claim byte so the signature no longer covers the payload. */
function tamper(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  claims.sub = 'someone-else';
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}
