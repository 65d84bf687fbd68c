// Runs Debian's real nginx binary as a child process for the end-to-end suite, through the same
// launcher as Caddy and HAProxy (test/support/proxy-process.ts): a generated config in a temp dir
// (every temp path inside it), loopback ports picked free, foreground and single-process so the
// test owns it, stopped with SIGQUIT then SIGKILL.
import { accessSync, constants, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../support/gate-child.js';
import { findBinary, startProxy } from '../support/proxy-process.js';

const CANDIDATES = [
  '/usr/sbin/nginx',
  '/usr/local/sbin/nginx',
  '/usr/bin/nginx',
  '/usr/local/bin/nginx',
];
// deploy/nginx/pps-gate-protect.conf clears reserved headers with headers-more's
// more_clear_input_headers (Debian: libnginx-mod-http-headers-more-filter).
export const HEADERS_MORE_MODULE = '/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so';

export function findNginx(): string {
  return findBinary(CANDIDATES, 'nginx');
}

// A loopback port that was free a moment ago (nginx binds it next; start retries on a clash).
export { freePort };

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
  const headersMore = findHeadersMore();
  const proxy = await startProxy('nginx', findNginx(), portCount, (dir, ports) => {
    const conf = join(dir, 'nginx.conf');
    writeFileSync(
      conf,
      `load_module ${headersMore};\npid ${dir}/nginx.pid;\nerror_log stderr warn;\nevents { worker_connections 256; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/client_body;\n  proxy_temp_path ${dir}/proxy;\n  fastcgi_temp_path ${dir}/fastcgi;\n  uwsgi_temp_path ${dir}/uwsgi;\n  scgi_temp_path ${dir}/scgi;\n${http(dir, ports)}\n}\n`,
    );
    return {
      args: ['-e', 'stderr', '-p', dir, '-c', conf, '-g', 'daemon off; master_process off;'],
      stopSignal: 'SIGQUIT',
    };
  });
  return {
    dir: proxy.dir,
    ports: proxy.ports,
    stderr: () => proxy.output(),
    stop: () => proxy.stop(),
  };
}
