// Runs a real proxy binary (Debian's caddy, haproxy) as a child process for the end-to-end
// suites: its config written into a temp dir, loopback ports picked free, foreground so the test
// owns it, stopped with SIGTERM then SIGKILL. A start that loses a port race is retried.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/gate-child.js';

const START_ATTEMPTS = 3;
const READY_POLLS = 100;
const POLL_MS = 50;

/** The first executable of these paths, or an error naming the Debian package to install. */
export function findBinary(candidates: readonly string[], debianPackage: string): string {
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Try the next place.
    }
  }
  throw new Error(
    `${debianPackage} not found in ${candidates.join(', ')}: this end-to-end suite needs Debian's ${debianPackage} package, which .ci/run installs (apt-get install -y ${debianPackage})`,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ProxyLaunch {
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** How the proxy is asked to stop before SIGKILL (default SIGTERM; nginx: SIGQUIT, graceful). */
  readonly stopSignal?: NodeJS.Signals;
}

export interface ProxyProcess {
  readonly dir: string;
  readonly ports: number[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `binary` with what `prepare(dir, ports)` returns (it writes its config into `dir`);
 * resolves once all `portCount` free loopback ports accept connections.
 */
export async function startProxy(
  name: string,
  binary: string,
  portCount: number,
  prepare: (dir: string, ports: number[]) => ProxyLaunch,
): Promise<ProxyProcess> {
  let lastOutput = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), `pps-gate-${name}-`));
    const ports: number[] = [];
    for (let i = 0; i < portCount; i++) ports.push(await freePort());
    const launch = prepare(dir, ports);
    const child = spawn(binary, launch.args, {
      cwd: dir,
      env: { ...process.env, ...launch.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: string): void => {
      output += chunk;
    };
    child.stdout.setEncoding('utf8').on('data', collect);
    child.stderr.setEncoding('utf8').on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const handle: ProxyProcess = {
      dir,
      ports,
      output: () => output,
      stop: () => stop(child, exited, { dir, signal: launch.stopSignal ?? 'SIGTERM' }),
    };
    for (let poll = 0; poll < READY_POLLS && child.exitCode === null; poll++) {
      if ((await Promise.all(ports.map(accepts))).every(Boolean)) return handle;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await handle.stop();
    lastOutput = output;
  }
  throw new Error(`${name} did not start after ${START_ATTEMPTS} attempts:\n${lastOutput}`);
}

async function stop(
  child: ChildProcess,
  exited: Promise<void>,
  how: { dir: string; signal: NodeJS.Signals },
): Promise<void> {
  const { dir, signal } = how;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(dir, { recursive: true, force: true });
}
