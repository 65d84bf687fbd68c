// The world the transport tests run in: the built server as a child process trusting three
// loopback issuers (one plain, one that forwards the token, one down from the start) and a
// fourth, untrusted issuer; plus the deny cases both transports must answer the same way.
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { algNoneToken, webhookHeaders, withClaimsReplaced } from '../support/webhook-fixtures.js';

export interface Scenario {
  readonly gate: GateProcess;
  /** Trusted, audience = its project. */
  readonly issuer: LocalIssuer;
  /** Trusted with forwardToken: true. */
  readonly forwarding: LocalIssuer;
  /** Trusted, but down before pps-gate ever fetched its keys. */
  readonly down: LocalIssuer;
  /** Not in the config. */
  readonly stranger: LocalIssuer;
  close(): Promise<void>;
}

export async function startScenario(args: readonly string[] = []): Promise<Scenario> {
  const [issuer, forwarding, down, stranger] = await Promise.all([
    startLocalIssuer({ project: 'pps-main' }),
    startLocalIssuer({ project: 'pps-forwarding' }),
    startLocalIssuer({ project: 'pps-down' }),
    startLocalIssuer({ project: 'pps-stranger' }),
  ]);
  down.mode = 'down';
  const gate = await startGateProcess({
    config: {
      issuers: [
        { issuer: issuer.issuer, audiences: [issuer.audience] },
        { issuer: forwarding.issuer, audiences: [forwarding.audience], forwardToken: true },
        { issuer: down.issuer, audiences: '*' },
      ],
      allowInsecureHttp: true,
    },
    args,
  });
  return {
    gate,
    issuer,
    forwarding,
    down,
    stranger,
    async close() {
      await gate.stop();
      await Promise.all([issuer, forwarding, down, stranger].map((i) => i.close()));
    },
  };
}

export interface DenyCase {
  readonly name: string;
  readonly headers: (s: Scenario) => Promise<Record<string, string>>;
  readonly reason: string;
  readonly httpStatus: number;
  /** google.rpc.Code in CheckResponse.status. */
  readonly grpcCode: number;
  /** envoy.type.v3.StatusCode enum name in denied_response.status. */
  readonly envoyStatus: string;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);
const tokenFailure = (name: string, reason: string, headers: DenyCase['headers']): DenyCase => ({
  name,
  headers,
  reason,
  httpStatus: 403,
  grpcCode: 16,
  envoyStatus: 'Forbidden',
});

export const DENY_CASES: readonly DenyCase[] = [
  tokenFailure('an expired token', 'token_expired', async (s) =>
    webhookHeaders(await s.issuer.sign({ claims: { iat: nowSec() - 7200, exp: nowSec() - 3600 } })),
  ),
  tokenFailure('a token for another audience', 'invalid_audience', async (s) =>
    webhookHeaders(await s.issuer.sign({ claims: { aud: 'someone-elses-project' } })),
  ),
  tokenFailure('a token from an untrusted issuer', 'untrusted_issuer', async (s) =>
    webhookHeaders(await s.stranger.sign()),
  ),
  tokenFailure('a token whose claims were changed after signing', 'invalid_signature', async (s) =>
    webhookHeaders(withClaimsReplaced(await s.issuer.sign(), (claims) => (claims.sub = 'admin'))),
  ),
  tokenFailure(
    'a token signed by a key the issuer never published, under a published kid',
    'invalid_signature',
    async (s) =>
      webhookHeaders(
        await s.issuer.sign({
          key: await s.issuer.unpublishedKey(),
          kid: s.issuer.publishedKids[0]!,
        }),
      ),
  ),
  tokenFailure('an alg "none" token', 'disallowed_algorithm', (s) =>
    Promise.resolve(
      webhookHeaders(
        algNoneToken(
          {
            iss: s.issuer.issuer,
            aud: s.issuer.audience,
            sub: 'x',
            iat: nowSec(),
            exp: nowSec() + 600,
          },
          s.issuer.publishedKids[0]!,
        ),
      ),
    ),
  ),
  tokenFailure('an alg "none" token with an empty signature', 'malformed_token', (s) =>
    Promise.resolve(
      webhookHeaders(
        algNoneToken(
          {
            iss: s.issuer.issuer,
            aud: s.issuer.audience,
            sub: 'x',
            iat: nowSec(),
            exp: nowSec() + 600,
          },
          'k',
          '',
        ),
      ),
    ),
  ),
  tokenFailure('a request without a token', 'missing_token', () =>
    Promise.resolve(webhookHeaders(undefined)),
  ),
  tokenFailure('a Basic credential', 'missing_token', () =>
    Promise.resolve({ ...webhookHeaders(undefined), authorization: 'Basic dXNlcjpwYXNz' }),
  ),
  {
    name: 'a good token with a bad X-Pps-Webhook-Id',
    headers: async (s) =>
      webhookHeaders(await s.issuer.sign(), { 'x-pps-webhook-id': 'not-a-uuid' }),
    reason: 'invalid_webhook_headers',
    httpStatus: 400,
    grpcCode: 3,
    envoyStatus: 'BadRequest',
  },
  {
    name: 'a good token with a bad X-Pps-Triggered-At',
    headers: async (s) =>
      webhookHeaders(await s.issuer.sign(), { 'x-pps-triggered-at': 'yesterday' }),
    reason: 'invalid_webhook_headers',
    httpStatus: 400,
    grpcCode: 3,
    envoyStatus: 'BadRequest',
  },
  {
    name: 'a good token with no X-Pps-Topic',
    headers: async (s) => webhookHeaders(await s.issuer.sign(), { 'x-pps-topic': undefined }),
    reason: 'invalid_webhook_headers',
    httpStatus: 400,
    grpcCode: 3,
    envoyStatus: 'BadRequest',
  },
];

/** A valid-looking token from the issuer that was down before any key fetch: 503, retryable. */
export const KEYS_UNAVAILABLE_CASE: DenyCase = {
  name: 'a token from an issuer that is down before any key was fetched',
  headers: async (s) => webhookHeaders(await s.down.sign()),
  reason: 'keys_unavailable',
  httpStatus: 503,
  grpcCode: 14,
  envoyStatus: 'ServiceUnavailable',
};
