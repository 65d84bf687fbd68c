// A gate on 127.0.0.1 with OS-picked ports trusting loopback issuers (hence allowInsecureHttp),
// for the demo, the tests and the benchmarks: one place that says how a local gate is started.
import { ConfigSnapshot } from '../config/config-snapshot.js';
import { parseConfig } from '../config/parse-config.js';
import { startGate, type Gate, type GateOptions } from './start-gate.js';
import { silentLogger } from '../telemetry/logger.js';

export interface LoopbackIssuerEntry {
  readonly issuer: string;
  readonly audiences: readonly string[] | '*';
}

export type LoopbackGateOptions = Partial<
  Omit<GateOptions, 'snapshot' | 'host' | 'grpcPort' | 'httpPort' | 'adminPort'>
>;

/** Starts the gate and waits for its start-up key prefetch (which may fail: a down issuer is fine). */
export async function startLoopbackGate(
  issuers: readonly LoopbackIssuerEntry[],
  source: string,
  options: LoopbackGateOptions = {},
): Promise<Gate> {
  const config = parseConfig(JSON.stringify({ issuers, allowInsecureHttp: true }), source);
  const gate = await startGate({
    logger: silentLogger,
    ...options,
    snapshot: new ConfigSnapshot(config),
    host: '127.0.0.1',
    grpcPort: 0,
    httpPort: 0,
    adminPort: 0,
  });
  await gate.prefetched;
  return gate;
}
