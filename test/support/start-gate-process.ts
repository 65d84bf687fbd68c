// Runs the built server (`node dist/main.js serve`) as a child process on loopback for
// process-level tests: writes its config to a temp dir, binds ports 0, reads the bound ports
// from the "pps-gate serving" log line, captures stdout/stderr, and stops it with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, MAIN_JS, whenClosed, type ExitStatus } from './gate-child.js';

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

/** Whole lines only: a line still being written has no newline yet. */
function completeLines(text: string): string[] {
  return text
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.trim() !== '');
}

export interface ServingLine {
  grpcPort: number;
  httpPort: number;
  adminPort: number;
}

function findServingLine(stdout: string): ServingLine | undefined {
  for (const line of stdout.split('\n')) {
    if (!line.includes('pps-gate serving')) continue;
    try {
      const parsed = JSON.parse(line) as Partial<ServingLine> & { msg?: string };
      if (parsed.msg === 'pps-gate serving' && typeof parsed.grpcPort === 'number')
        return parsed as ServingLine;
    } catch {
      // A partial line; the next chunk completes it.
    }
  }
  return undefined;
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

export async function startGateProcess(options: GateProcessOptions): Promise<GateProcess> {
  const file = writeConfigFile(options.config);
  const port = (name: keyof ServingLine): string => String(options.ports?.[name] ?? 0);
  const args = options.viaEnv
    ? [MAIN_JS, 'serve', ...(options.args ?? [])]
    : [
        MAIN_JS,
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
  const child = spawn(process.execPath, args, {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = whenClosed(child);

  const serving = await new Promise<ServingLine>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`pps-gate did not report serving within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    const onData = (): void => {
      const line = findServingLine(stdout);
      if (line === undefined) return;
      cleanup();
      resolve(line);
    };
    const { ports } = options;
    if (ports !== undefined) {
      void waitForReadyz(`http://127.0.0.1:${ports.adminPort}/readyz`, () => !settled).then(
        (ready) => {
          if (!ready) return;
          cleanup();
          resolve(ports);
        },
      );
    }
    const onExit = (code: number | null): void =>
      fail(new Error(`pps-gate exited (${code}) before serving`));
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
    };
    const fail = (error: Error): void => {
      cleanup();
      if (child.exitCode === null) child.kill('SIGKILL');
      file.remove();
      reject(new Error(`${error.message}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });

  return {
    ...serving,
    grpcAddress: `127.0.0.1:${serving.grpcPort}`,
    httpUrl: `http://127.0.0.1:${serving.httpPort}`,
    adminUrl: `http://127.0.0.1:${serving.adminPort}`,
    configPath: file.path,
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stdoutLines: () => completeLines(stdout),
    waitForLine: (predicate, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const look = (): boolean => {
          const line = completeLines(stdout).find(predicate);
          if (line === undefined) return false;
          clearTimeout(timer);
          child.stdout?.off('data', look);
          resolve(line);
          return true;
        };
        const timer = setTimeout(() => {
          child.stdout?.off('data', look);
          reject(new Error(`no matching stdout line within ${timeoutMs} ms; stdout:\n${stdout}`));
        }, timeoutMs);
        if (!look()) child.stdout?.on('data', look);
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const status = await exited;
      clearTimeout(killer);
      file.remove();
      return status;
    },
  };
}
