// Child processes of the built CLI (`node dist/main.js ...`) for process-level tests: where the
// binary is, a clean environment, exit status once output is drained, and run-to-completion.
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

export interface RunResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/main.js ...args` to completion (bounded), for commands that exit on their own. */
export function runGate(
  args: readonly string[],
  options: { env?: Readonly<Record<string, string>>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const child = spawn(process.execPath, [MAIN_JS, ...args], {
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const closed = whenClosed(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return closed.then((status) => {
    clearTimeout(timer);
    return { ...status, stdout, stderr };
  });
}
