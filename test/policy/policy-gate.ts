// A gate in this process on loopback ports (its real gRPC server and HTTP port) with an injected
// clock, trusting one loopback issuer with the whole webhook policy of the README example and one
// without any: and a way to send one request through both transports, answering the same shape.
import { randomUUID } from 'node:crypto';
import { parseConfig } from '../../src/config/parse-config.js';
import { ConfigSnapshot } from '../../src/config/config-snapshot.js';
import { startGate, type Gate } from '../../src/gate/start-gate.js';
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import {
  createEnvoyAuthClient,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

/** X-Pps-Triggered-At as the PPS guide writes it (one-digit day, seven fraction digits). */
export const GUIDE_TRIGGERED_AT = '2024-01-1T10:00:00.7777748Z';
/** The instant it means, to the millisecond pps-gate keeps. */
export const GUIDE_TRIGGERED_AT_MS = Date.UTC(2024, 0, 1, 10, 0, 0, 777);
export const MAX_TOKEN_AGE_SECONDS = 600;
export const TRIGGERED_AT_WINDOW_SECONDS = 3600;

export interface PolicyGate {
  /** Trusted with every policy key set. */
  readonly strict: LocalIssuer;
  /** Trusted with no policy keys. */
  readonly plain: LocalIssuer;
  readonly gate: Gate;
  /** Epoch ms the gate believes it is; tests move it. */
  readonly clock: { now: number };
  /** A token from `issuer` whose iat/exp follow the gate's clock; `claims` override. */
  sign(issuer: LocalIssuer, claims?: Record<string, unknown>): Promise<string>;
  /** The same request through gRPC (Envoy's protos) and the HTTP port. */
  check(headers: Record<string, string>): Promise<BothAnswers>;
  close(): Promise<void>;
}

export interface Answer {
  readonly allowed: boolean;
  /** The deny reason, or undefined on allow. */
  readonly reason: string | undefined;
  /** HTTP status (gRPC: denied_response.status as Envoy's enum name, 'OK' on allow). */
  readonly status: number | string;
  /** Headers set on allow (lower-case name -> value). */
  readonly headers: Record<string, string>;
  /** What the proxy removes from the upstream request on allow. */
  readonly removed: readonly string[];
}

export interface BothAnswers {
  readonly grpc: Answer;
  readonly http: Answer;
}

export const STRICT_RULES = {
  tenantClaim: 'firebase.tenant',
  tenants: ['OU1243', 'OU2000'],
  topics: ['orders/*', 'invoices/**', 'billing.v1/paid'],
  requiredClaims: { email_verified: true, 'firebase.sign_in_provider': 'custom', roles: 'sender' },
  maxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS,
  triggeredAtWindowSeconds: TRIGGERED_AT_WINDOW_SECONDS,
  replay: 'jti',
  claimHeaders: {
    email: 'x-pps-auth-email',
    'firebase.tenant': 'X-Pps-Auth-Tenant',
    roles: 'x-pps-auth-roles',
    email_verified: 'x-pps-auth-email-verified',
    phone_number: 'x-pps-auth-phone',
  },
} as const;

/** Claims that satisfy STRICT_RULES for tenant OU1243. */
export const GOOD_CLAIMS = {
  email: 'sender@example.com',
  email_verified: true,
  roles: ['reader', 'sender'],
  firebase: { tenant: 'OU1243', sign_in_provider: 'custom' },
};

async function grpcAnswer(
  envoy: EnvoyAuthClient,
  headers: Record<string, string>,
): Promise<Answer> {
  const response = await envoy.check(headersCheckRequest(headers));
  const ok = response.ok_response;
  if (response.status?.code === 0 && response.http_response === 'ok_response' && ok) {
    const set: Record<string, string> = {};
    for (const option of ok.headers)
      if (option.header) set[option.header.key] = option.header.value;
    return {
      allowed: true,
      reason: undefined,
      status: 'OK',
      headers: set,
      removed: ok.headers_to_remove,
    };
  }
  return {
    allowed: false,
    reason: response.status?.message,
    status: response.denied_response?.status?.code ?? 'none',
    headers: {},
    removed: [],
  };
}

async function httpAnswer(url: string, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers });
  const set: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name.startsWith('x-pps-auth-')) set[name] = value;
  });
  const body = await response.text();
  if (response.status === 200) {
    const removed = response.headers.get('x-envoy-auth-headers-to-remove');
    return {
      allowed: true,
      reason: undefined,
      status: 200,
      headers: set,
      removed: removed === null ? [] : removed.split(', '),
    };
  }
  return {
    allowed: false,
    reason: (JSON.parse(body) as { reason: string }).reason,
    status: response.status,
    headers: set,
    removed: [],
  };
}

export async function startPolicyGate(startMs: number): Promise<PolicyGate> {
  const [strict, plain] = await Promise.all([
    startLocalIssuer({ project: 'pps-strict' }),
    startLocalIssuer({ project: 'pps-plain' }),
  ]);
  const config = parseConfig(
    JSON.stringify({
      issuers: [
        { issuer: strict.issuer, audiences: [strict.audience], ...STRICT_RULES },
        { issuer: plain.issuer, audiences: [plain.audience] },
      ],
      allowInsecureHttp: true,
      // Exact boundaries: no skew to add to the windows.
      clockSkewSeconds: 0,
    }),
    'policy-gate.json',
  );
  const clock = { now: startMs };
  const gate = await startGate({
    snapshot: new ConfigSnapshot(config),
    logger: silentLogger,
    now: () => clock.now,
    host: '127.0.0.1',
    grpcPort: 0,
    httpPort: 0,
    adminPort: 0,
  });
  await gate.prefetched;
  const envoy = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
  const httpUrl = `http://127.0.0.1:${gate.httpPort}/webhooks/orders`;
  return {
    strict,
    plain,
    gate,
    clock,
    sign(issuer, claims = {}) {
      const nowSec = Math.floor(clock.now / 1000);
      return issuer.sign({
        claims: {
          iat: nowSec,
          exp: nowSec + 3600,
          auth_time: nowSec,
          jti: randomUUID(),
          ...claims,
        },
      });
    },
    async check(headers) {
      const grpc = await grpcAnswer(envoy, headers);
      const http = await httpAnswer(httpUrl, headers);
      return { grpc, http };
    },
    async close() {
      envoy.close();
      await gate.close(0);
      await Promise.all([strict.close(), plain.close()]);
    },
  };
}

/** Webhook headers in the guide's form, with overrides. */
export function policyHeaders(
  token: string,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  return webhookHeaders(token, { 'x-pps-triggered-at': GUIDE_TRIGGERED_AT, ...overrides });
}
