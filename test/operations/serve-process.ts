// `node dist/main.js serve` as a child process for the lifecycle tests: its JSON log lines as they
// come, a bounded wait for a given line, and its exit status.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN_JS = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

export interface ServeProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far. */
  readonly lines: string[];
  readonly stderr: () => string;
  /** The first JSON log line with this `msg` (waits up to `timeoutMs`). */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnServe(
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): ServeProcess {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('PPS_GATE_')),
  );
  const child = spawn(process.execPath, [...nodeArgs, MAIN_JS, 'serve', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line !== ''));
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      if (partial !== '') lines.push(partial);
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
  const find = (msg: string): Record<string, unknown> | undefined =>
    lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.msg === msg);
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLog: (msg, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const entry = find(msg);
          if (entry !== undefined) done(() => resolve(entry));
          else if (child.exitCode !== null)
            done(() =>
              reject(new Error(`exited before logging "${msg}": ${stderr}${lines.join('\n')}`)),
            );
        };
        const timer = setTimeout(
          () =>
            done(() => reject(new Error(`no "${msg}" log line within ${timeoutMs} ms: ${stderr}`))),
          timeoutMs,
        );
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
  };
}
