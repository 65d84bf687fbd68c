// Runs the built server (`node dist/main.js serve`) as a child process on loopback for
// process-level tests: writes its config to a temp dir, binds ports 0, reads the bound ports
// from the "pps-gate serving" log line, captures stdout/stderr, and stops it with SIGTERM.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnGate, type ExitStatus } from './gate-child.js';

export { freePort, MAIN_JS, runGate, type ExitStatus, type RunResult } from './gate-child.js';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface GateProcess {
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly adminPort: number;
  /** host:port for gRPC clients. */
  readonly grpcAddress: string;
  readonly httpUrl: string;
  readonly adminUrl: string;
  readonly configPath: string;
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** stdout split into non-empty lines. */
  stdoutLines(): string[];
  /** The first stdout line matching `predicate`, waiting for it (logs arrive asynchronously through the pipe). */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** SIGTERM, then wait for exit (SIGKILL after a bounded wait); removes the temp dir. */
  stop(): Promise<ExitStatus>;
}

export interface GateProcessOptions {
  /** Config document (serialised as JSON) or raw YAML/JSON text. */
  readonly config: unknown;
  /** Extra CLI args after `serve --config FILE --host 127.0.0.1 --*-port 0`. */
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Pass the config path and ports through PPS_GATE_* variables instead of flags. */
  readonly viaEnv?: boolean;
  /**
   * Fixed ports (see `freePort`) instead of 0; start-up then waits for /readyz rather than the
   * "pps-gate serving" line, so a log level above info works too.
   */
  readonly ports?: ServingLine;
}

/** Writes a config file into a fresh temp dir; returns its path and a cleanup. */
export function writeConfigFile(
  config: unknown,
  name = 'pps-gate.json',
): { path: string; dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pps-gate-test-'));
  const path = join(dir, name);
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return { path, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServingLine {
  grpcPort: number;
  httpPort: number;
  adminPort: number;
}

/** Polls /readyz (every 50 ms) while `keepGoing()`; true once it answers 200. */
async function waitForReadyz(url: string, keepGoing: () => boolean): Promise<boolean> {
  while (keepGoing()) {
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

/** The ports of the "pps-gate serving" log line. */
function servingPorts(entry: Record<string, unknown>): ServingLine {
  const { grpcPort, httpPort, adminPort } = entry;
  if (typeof grpcPort !== 'number' || typeof httpPort !== 'number' || typeof adminPort !== 'number')
    throw new Error(`"pps-gate serving" without its ports: ${JSON.stringify(entry)}`);
  return { grpcPort, httpPort, adminPort };
}

export async function startGateProcess(options: GateProcessOptions): Promise<GateProcess> {
  const file = writeConfigFile(options.config);
  const port = (name: keyof ServingLine): string => String(options.ports?.[name] ?? 0);
  const args = options.viaEnv
    ? ['serve', ...(options.args ?? [])]
    : [
        'serve',
        '--config',
        file.path,
        '--host',
        '127.0.0.1',
        '--grpc-port',
        port('grpcPort'),
        '--http-port',
        port('httpPort'),
        '--admin-port',
        port('adminPort'),
        ...(options.args ?? []),
      ];
  const env = options.viaEnv
    ? {
        PPS_GATE_CONFIG: file.path,
        PPS_GATE_HOST: '127.0.0.1',
        PPS_GATE_GRPC_PORT: port('grpcPort'),
        PPS_GATE_HTTP_PORT: port('httpPort'),
        PPS_GATE_ADMIN_PORT: port('adminPort'),
        ...options.env,
      }
    : options.env;
  const gate = spawnGate(args, { env });
  const { child } = gate;

  let serving: ServingLine;
  try {
    const { ports } = options;
    if (ports === undefined) {
      serving = servingPorts(await gate.waitForLog('pps-gate serving', START_TIMEOUT_MS));
    } else {
      const deadline = Date.now() + START_TIMEOUT_MS;
      const running = (): boolean => child.exitCode === null && Date.now() < deadline;
      if (!(await waitForReadyz(`http://127.0.0.1:${ports.adminPort}/readyz`, running)))
        throw new Error(
          `pps-gate was not ready within ${START_TIMEOUT_MS} ms, or exited;` +
            ` stdout:\n${gate.stdout()}\nstderr:\n${gate.stderr()}`,
        );
      serving = ports;
    }
  } catch (error) {
    // The error already carries the child's output.
    if (child.exitCode === null) child.kill('SIGKILL');
    file.remove();
    throw error;
  }

  return {
    ...serving,
    grpcAddress: `127.0.0.1:${serving.grpcPort}`,
    httpUrl: `http://127.0.0.1:${serving.httpPort}`,
    adminUrl: `http://127.0.0.1:${serving.adminPort}`,
    configPath: file.path,
    child,
    stdout: () => gate.stdout(),
    stderr: () => gate.stderr(),
    stdoutLines: () => [...gate.lines],
    waitForLine: (predicate, timeoutMs) => gate.waitForLine(predicate, timeoutMs),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const status = await gate.exited;
      clearTimeout(killer);
      file.remove();
      return status;
    },
  };
}
