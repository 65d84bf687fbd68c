// A real Redis (Debian's redis-server) for tests: started on a loopback port, no persistence,
// stoppable and restartable on the same port (to test a Redis outage mid-run).
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, whenClosed, type ExitStatus } from './gate-child.js';

export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 2 s). */
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop`), empty: nothing is persisted. */
  start(): Promise<void>;
}

const READY = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

function launch(port: number, extraArgs: readonly string[]): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (READY.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `extraArgs` go to redis-server as is (e.g. ['--requirepass', 'secret']). */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port, extraArgs);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      const closed: Promise<ExitStatus> = whenClosed(running);
      running.kill('SIGTERM');
      const force = setTimeout(() => running.kill('SIGKILL'), 2000);
      await closed;
      clearTimeout(force);
    },
    async start() {
      if (child !== undefined) throw new Error('redis-server is already running');
      child = await launch(port, extraArgs);
    },
  };
}
