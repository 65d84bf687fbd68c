// Runs Debian's real nginx binary as a child process for the end-to-end suite: a generated
// config in a temp dir (every temp path inside it), loopback ports picked free, foreground and
// single-process so the test owns it, stopped with SIGQUIT then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/gate-child.js';

const CANDIDATES = [
  '/usr/sbin/nginx',
  '/usr/local/sbin/nginx',
  '/usr/bin/nginx',
  '/usr/local/bin/nginx',
];
// deploy/nginx/pps-gate-protect.conf clears reserved headers with headers-more's
// more_clear_input_headers (Debian: libnginx-mod-http-headers-more-filter).
export const HEADERS_MORE_MODULE = '/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so';
const START_ATTEMPTS = 3;
const READY_POLLS = 100;
const POLL_MS = 50;

export function findNginx(): string {
  for (const path of CANDIDATES) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Try the next place.
    }
  }
  throw new Error(
    `nginx not found in ${CANDIDATES.join(', ')}: the nginx end-to-end suite needs Debian's nginx package, which .ci/run installs (apt-get install -y nginx)`,
  );
}

// A loopback port that was free a moment ago (nginx binds it next; start retries on a clash).
export { freePort };

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

function findHeadersMore(): string {
  try {
    accessSync(HEADERS_MORE_MODULE, constants.R_OK);
    return HEADERS_MORE_MODULE;
  } catch {
    throw new Error(
      `${HEADERS_MORE_MODULE} not found: deploy/nginx needs the headers-more module, which .ci/run installs (apt-get install -y libnginx-mod-http-headers-more-filter)`,
    );
  }
}

export interface NginxProcess {
  readonly dir: string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts nginx with `http(dir, ports)` as the body of http {}: `ports` are `portCount` free
 * loopback ports, all of which must accept connections before this resolves.
 */
export async function startNginx(
  portCount: number,
  http: (dir: string, ports: number[]) => string,
): Promise<NginxProcess & { ports: number[] }> {
  const binary = findNginx();
  const headersMore = findHeadersMore();
  let lastError = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'pps-gate-nginx-'));
    const listenPorts: number[] = [];
    for (let i = 0; i < portCount; i++) listenPorts.push(await freePort());
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `load_module ${headersMore};\npid ${dir}/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/client_body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n${http(dir, listenPorts)}\n}\n`,
    );
    const child = spawn(
      binary,
      ['-e', 'stderr', '-p', dir, '-c', conf, '-g', 'daemon off; master_process off;'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const handle = {
      dir,
      ports: listenPorts,
      stderr: () => stderr,
      stop: () => stop(child, exited, dir),
    };
    for (let poll = 0; poll < READY_POLLS && child.exitCode === null; poll++) {
      if ((await Promise.all(listenPorts.map(accepts))).every(Boolean)) return handle;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    await handle.stop();
    lastError = stderr;
  }
  throw new Error(`nginx did not start after ${START_ATTEMPTS} attempts:\n${lastError}`);
}

async function stop(child: ChildProcess, exited: Promise<void>, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGQUIT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(killer);
  }
  rmSync(dir, { recursive: true, force: true });
}
