// The benchmark's cases: what load goes where, pinned how, and which case each is compared with.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './processes.mjs';
import { h2loadGrpc, wrkHttp } from './load-tools.mjs';
import { CHECK_PATH } from './grpc-messages.mjs';

const GRPC_CLIENT = fileURLToPath(new URL('./grpc-client.mjs', import.meta.url));

/** The lean node:http2 client: every call sends the next body of `bodiesFile` (its own token). */
export function nodeGrpcClient({ cpus, url, bodiesFile, clients, streams, seconds }) {
  return new Promise((resolve, reject) => {
    execFile(
      'taskset',
      ['-c', cpus, process.execPath, GRPC_CLIENT, url, bodiesFile, clients, streams, seconds],
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`grpc-client: ${error.message}\n${stderr}`))
          : resolve(JSON.parse(stdout)),
    );
  });
}

/** One case: `load(seconds)` runs it once; CPU time of the server tree is measured around it. */
function timed(server, load) {
  return async (seconds) => {
    const before = cpuSeconds(server.pid);
    const result = await load(seconds);
    const cpu = cpuSeconds(server.pid) - before;
    return { ...result, cpuMicrosPerCall: (cpu * 1e6) / Math.max(1, result.done) };
  };
}

export function buildCases(o) {
  const { servers, loadCpu, allCpus } = o;
  const grpcUrl = (server) => `http://127.0.0.1:${server.grpcPort}${CHECK_PATH}`;
  const h2 = (server, cpus, clients, streams, rps) =>
    timed(server, (seconds) =>
      h2loadGrpc({
        cpus,
        url: grpcUrl(server),
        bodyFile: o.hotBodyFile,
        clients,
        streams,
        seconds,
        rps,
      }),
    );
  const distinct = (server, clients, streams) =>
    timed(server, (seconds) =>
      nodeGrpcClient({
        cpus: loadCpu,
        url: `http://127.0.0.1:${server.grpcPort}`,
        bodiesFile: o.distinctFile,
        clients,
        streams,
        seconds,
      }),
    );
  const wrk = (server, connections) =>
    timed(server, (seconds) =>
      wrkHttp({
        cpus: loadCpu,
        url: `http://127.0.0.1:${server.httpPort}/webhooks/orders`,
        headers: o.hotHeaders,
        connections,
        seconds,
      }),
    );
  const list = [
    {
      id: 'grpc-floor-c2',
      label: 'no-op grpc-js Check (floor), h2load -c2 -m32',
      run: h2(servers.floor, loadCpu, 2, 32),
    },
    {
      id: 'grpc-hot-c2',
      vs: 'grpc-floor-c2',
      label: 'pps-gate, hot token, h2load -c2 -m32',
      run: h2(servers.gate, loadCpu, 2, 32),
    },
    {
      id: 'grpc-floor-c32',
      label: 'no-op grpc-js Check (floor), h2load -c32 -m4',
      run: h2(servers.floor, loadCpu, 32, 4),
    },
    {
      id: 'grpc-hot-c32',
      vs: 'grpc-floor-c32',
      label: 'pps-gate, hot token, h2load -c32 -m4',
      run: h2(servers.gate, loadCpu, 32, 4),
    },
    {
      id: 'grpc-floor-1000rps',
      label: 'no-op grpc-js Check (floor), 1,000/s fixed',
      run: h2(servers.floor, loadCpu, 2, 8, 1000),
      latency: true,
    },
    {
      id: 'grpc-hot-1000rps',
      vs: 'grpc-floor-1000rps',
      label: 'pps-gate, hot token, 1,000/s fixed',
      run: h2(servers.gate, loadCpu, 2, 8, 1000),
      latency: true,
    },
    {
      id: 'grpc-floor-node',
      label: 'no-op grpc-js Check (floor), node:http2 client -c2 -m32',
      run: distinct(servers.floor, 2, 32),
    },
    {
      id: 'grpc-distinct',
      vs: 'grpc-floor-node',
      label: 'pps-gate, every token distinct, node:http2 client -c2 -m32',
      run: distinct(servers.gate, 2, 32),
    },
    { id: 'http-noop', label: 'no-op node:http, wrk -c64', run: wrk(servers.httpNoop, 64) },
    {
      id: 'http-hot',
      vs: 'http-noop',
      label: 'pps-gate forward-auth, hot token, wrk -c64',
      run: wrk(servers.gate, 64),
    },
    {
      id: 'http-fastify',
      vs: 'http-noop',
      label: 'fastify 5 + jose 6 endpoint, wrk -c64',
      run: wrk(servers.fastify, 64),
    },
    {
      id: 'workers1-c2',
      label: 'pps-gate 1 worker, both cores shared, h2load -c2 -m32',
      run: h2(servers.gate1, allCpus, 2, 32),
    },
    {
      id: 'workers2-c2',
      vs: 'workers1-c2',
      label: 'pps-gate 2 workers, both cores shared, h2load -c2 -m32',
      run: h2(servers.gate2, allCpus, 2, 32),
    },
    {
      id: 'workers1-c32',
      label: 'pps-gate 1 worker, both cores shared, h2load -c32 -m4',
      run: h2(servers.gate1, allCpus, 32, 4),
    },
    {
      id: 'workers2-c32',
      vs: 'workers1-c32',
      label: 'pps-gate 2 workers, both cores shared, h2load -c32 -m4',
      run: h2(servers.gate2, allCpus, 32, 4),
    },
  ];
  return list.map((c) => ({ ...c, rounds: [] }));
}
