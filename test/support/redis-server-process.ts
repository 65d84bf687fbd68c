// A real redis-server for tests: on loopback, on a port that was free a moment ago (redis-server
// cannot report a port-0 binding), without persistence, stopped with SIGTERM. A lost port race
// (another test took the port first) is retried on a fresh port.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, whenClosed } from './gate-child.js';

export interface RedisServerProcess {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

function startOnce(port: number): Promise<RedisServerProcess> {
  const child: ChildProcess = spawn(
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
      'yes',
      '--loglevel',
      'warning',
      '--logfile',
      '',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const closed = whenClosed(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await closed;
  };
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const poll = async (): Promise<void> => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited: ${output}`));
      if (Date.now() > deadline) {
        await stop();
        return reject(new Error(`redis-server did not answer on ${port}: ${output}`));
      }
      if (await answersPing(port)) {
        return resolve({ port, url: `redis://127.0.0.1:${port}`, stop });
      }
      setTimeout(() => void poll(), 20);
    };
    void poll();
  });
}

/** One PING over a raw socket (RESP inline command), so readiness needs no client library. */
async function answersPing(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function startRedisServer(): Promise<RedisServerProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
