// The world the fault matrix runs in: the built server trusting two loopback issuers per fault,
// one faulty before pps-gate ever fetched its keys ("cold") and one that served keys first and
// turns faulty afterwards ("warm"), plus an untrusted host that redirects point to. Checks go
// over Envoy's own protos and are timed; fetch attempts are read from the issuers and /metrics.
import { startLocalIssuer, type LocalIssuer } from '../../src/dev/local-issuer.js';
import type { IssuerMode } from '../../src/dev/issuer-faults.js';
import {
  createEnvoyAuthClient,
  headerOption,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { startGateProcess, type GateProcess } from '../support/start-gate-process.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

// Above the 150 ms default so a loopback fetch on a loaded CI box lands within it (the decisions
// below judge on its result), yet far below FETCH_TIMEOUT_MS, which a waiting Check must never see.
export const REQUEST_WAIT_MS = 400;
export const FETCH_TIMEOUT_MS = 2500;
export const CLOCK_SKEW_SECONDS = 5;

export interface Fault {
  readonly name: string;
  readonly mode: IssuerMode;
  readonly faultOn?: 'discovery' | 'jwks';
  readonly slowMs?: number;
}

export const FAULTS: readonly Fault[] = [
  { name: 'refusing connections', mode: 'refuse' },
  { name: 'black-holed', mode: 'blackhole' },
  { name: 'slow, just under the fetch timeout', mode: 'slow', slowMs: FETCH_TIMEOUT_MS - 1200 },
  { name: 'slow, just over the fetch timeout', mode: 'slow', slowMs: FETCH_TIMEOUT_MS + 300 },
  { name: 'answering 500', mode: 'error' },
  { name: 'redirecting (302) to another host', mode: 'redirect' },
  { name: 'answering HTML', mode: 'html' },
  { name: 'answering truncated JSON', mode: 'truncated' },
  { name: 'streaming a 10 MiB body', mode: 'huge-stream' },
  { name: 'publishing a private key', mode: 'private-key' },
  { name: 'publishing the kid twice', mode: 'duplicate-kids' },
  { name: 'publishing an empty key set', mode: 'empty-set' },
  { name: 'naming another issuer in discovery', mode: 'wrong-issuer', faultOn: 'discovery' },
];

export interface Verdict {
  /** 'allow' or the deny reason. */
  readonly outcome: string;
  readonly retryAfter: string | undefined;
  readonly ms: number;
}

export interface FaultWorld {
  readonly gate: GateProcess;
  readonly cold: ReadonlyMap<string, LocalIssuer>;
  readonly warm: ReadonlyMap<string, LocalIssuer>;
  /** Untrusted; every redirect points at its (valid) key set. It must never be asked. */
  readonly elsewhere: LocalIssuer;
  applyFault(issuer: LocalIssuer, fault: Fault): Promise<void>;
  check(issuer: LocalIssuer, options?: { kid?: string; iatAgoSeconds?: number }): Promise<Verdict>;
  /** Discovery + JWKS fetches pps-gate finished for `issuer`, success or failure (/metrics). */
  fetchAttempts(issuer: LocalIssuer): Promise<number>;
  close(): Promise<void>;
}

const slug = (name: string): string => name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

function metricValue(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function startFaultWorld(): Promise<FaultWorld> {
  const elsewhere = await startLocalIssuer({ project: 'elsewhere' });
  const start = (prefix: string) =>
    Promise.all(
      FAULTS.map(
        async (f) =>
          [f.name, await startLocalIssuer({ project: `${prefix}-${slug(f.name)}` })] as const,
      ),
    ).then((entries) => new Map(entries));
  const [cold, warm] = await Promise.all([start('cold'), start('warm')]);

  const applyFault = async (issuer: LocalIssuer, fault: Fault): Promise<void> => {
    issuer.faultOn = fault.faultOn ?? 'all';
    issuer.slowMs = fault.slowMs ?? 0;
    issuer.redirectLocation = elsewhere.jwksUri;
    await issuer.setMode(fault.mode);
  };
  for (const fault of FAULTS) await applyFault(cold.get(fault.name)!, fault);

  const gate = await startGateProcess({
    config: {
      issuers: [...cold.values(), ...warm.values()].map((i) => ({
        issuer: i.issuer,
        audiences: [i.audience],
      })),
      jwks: {
        fetchTimeoutMs: FETCH_TIMEOUT_MS,
        minRefreshIntervalSeconds: 1,
        requestWaitMs: REQUEST_WAIT_MS,
      },
      clockSkewSeconds: CLOCK_SKEW_SECONDS,
      allowInsecureHttp: true,
    },
  });
  const envoy: EnvoyAuthClient = createEnvoyAuthClient(gate.grpcAddress);
  // Connect the channel and warm the gate's code paths, so the first timed Check measures the
  // gate, not the connection set-up.
  for (let i = 0; i < 3; i++) await envoy.check(headersCheckRequest(webhookHeaders(undefined)));

  return {
    gate,
    cold,
    warm,
    elsewhere,
    applyFault,
    async check(issuer, options = {}) {
      const nowSec = Math.floor(Date.now() / 1000);
      const iat = nowSec - (options.iatAgoSeconds ?? 0);
      const token = await issuer.sign({
        claims: { iat, exp: iat + 3600, auth_time: iat },
        ...(options.kid === undefined ? {} : { kid: options.kid }),
      });
      const request = headersCheckRequest(webhookHeaders(token));
      const startedAt = performance.now();
      const response = await envoy.check(request);
      const ms = performance.now() - startedAt;
      const headers = response.denied_response?.headers;
      return {
        outcome:
          response.status?.code === 0
            ? 'allow'
            : (headerOption(headers, 'x-pps-gate-reason')?.header.value ?? 'no reason'),
        retryAfter: headerOption(headers, 'retry-after')?.header.value,
        ms,
      };
    },
    async fetchAttempts(issuer) {
      const text = await (await fetch(`${gate.adminUrl}/metrics`)).text();
      return metricValue(text, 'pps_gate_jwks_fetches_total', { issuer: issuer.issuer });
    },
    async close() {
      envoy.close();
      await gate.stop();
      await Promise.all([elsewhere, ...cold.values(), ...warm.values()].map((i) => i.close()));
    },
  };
}
