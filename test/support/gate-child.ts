// Child processes of the built CLI (`node dist/main.js ...`) for process-level tests, all spawned
// by spawnGate: where the binary is, a clean environment, output as lines with bounded waits for
// one, exit status once output is drained, and run-to-completion.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * dist/main.js of this checkout (run `npm run build` first), or PPS_GATE_TEST_MAIN_JS to test
 * another build, such as an installed package or a deliberately broken copy.
 */
export const MAIN_JS =
  process.env.PPS_GATE_TEST_MAIN_JS ??
  fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Every port on 0 (the OS picks): no two test processes ever collide. */
export const EPHEMERAL_PORTS = [
  '--grpc-port',
  '0',
  '--http-port',
  '0',
  '--admin-port',
  '0',
] as const;
/** The same, bound to loopback only. */
export const EPHEMERAL_LOOPBACK_PORTS = ['--host', '127.0.0.1', ...EPHEMERAL_PORTS] as const;

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The env a child gets: this process's env without any PPS_GATE_* leaking in, plus `extra`. */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.startsWith('PPS_GATE_')) env[name] = value;
  return { ...env, ...extra };
}

/** Call right after spawn: 'close' comes once the process has exited and its output is drained. */
export function whenClosed(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve) =>
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
      resolve({ code, signal }),
    ),
  );
}

/** A loopback port that was free a moment ago (for the rare test that cannot use port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface GateChild {
  readonly child: ChildProcess;
  /** Complete stdout lines so far (a line still being written is not here yet), kept up to date. */
  readonly lines: readonly string[];
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Settles once the process has exited and its output is drained. */
  readonly exited: Promise<ExitStatus>;
  /** The first stdout line matching `predicate`; rejects on exit or after `timeoutMs`. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>;
  /** The first JSON log line whose `msg` is `msg`, parsed; rejects on exit or after `timeoutMs`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export interface SpawnOptions {
  /** Added to childEnv(): no PPS_GATE_* of this process leaks in. */
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags before dist/main.js (e.g. --import of a planted bug). */
  readonly nodeArgs?: readonly string[];
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined; // not every line is JSON (pretty logs, a crash trace)
  }
}

/** Spawns `node [nodeArgs] dist/main.js ...args`, collecting stdout lines and stderr. */
export function spawnGate(args: readonly string[], options: SpawnOptions = {}): GateChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MAIN_JS, ...args], {
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = whenClosed(child);
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  let closed = false;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.trim() !== ''));
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  void exited.then(() => {
    if (partial.trim() !== '') lines.push(partial);
    closed = true;
    wake();
  });

  function waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = find();
        if (found !== undefined) done(() => resolve(found));
        else if (closed)
          done(() =>
            reject(new Error(`exited before ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`)),
          );
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `no ${what} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            ),
          ),
        timeoutMs,
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });
  }

  return {
    child,
    lines,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForLine: (predicate, timeoutMs = 5000) =>
      waitFor(() => lines.find(predicate), 'matching stdout line', timeoutMs),
    waitForLog: (msg, timeoutMs = 10_000) =>
      waitFor(
        () => {
          for (const line of lines) {
            const entry = parseLogLine(line);
            if (entry?.msg === msg) return entry;
          }
          return undefined;
        },
        `"${msg}" log line`,
        timeoutMs,
      ),
  };
}

export interface RunResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/main.js ...args` to completion (bounded), for commands that exit on their own. */
export async function runGate(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const gate = spawnGate(args, { env: options.env });
  const timer = setTimeout(() => gate.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const status = await gate.exited;
  clearTimeout(timer);
  return { ...status, stdout: gate.stdout(), stderr: gate.stderr() };
}
