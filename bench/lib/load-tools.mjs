// Runs the load generators (h2load from nghttp2-client, wrk) pinned with taskset, and reads
// their reports: throughput, failures, and latency percentiles.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function run(cpus, command, args) {
  return new Promise((resolve, reject) => {
    execFile(
      'taskset',
      ['-c', cpus, command, ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${command} failed: ${error.message}\n${stderr}`))
          : resolve(stdout),
    );
  });
}

export const percentile = (sorted, p) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

let logCounter = 0;

/**
 * h2load POSTing one gRPC-framed body to the Check method. `rps` (total) switches to a fixed
 * rate spread over the clients. Returns req/s, failures and p50/p99 in ms (from --log-file).
 */
export async function h2loadGrpc({ cpus, url, bodyFile, clients, streams, seconds, rps }) {
  const log = join(tmpdir(), `pps-bench-h2load-${process.pid}-${logCounter++}.log`);
  const args = [
    `-c${clients}`,
    `-m${streams}`,
    '-t1',
    `-D${seconds}`,
    `--data=${bodyFile}`,
    '-H',
    'content-type: application/grpc',
    '-H',
    'te: trailers',
    `--log-file=${log}`,
    ...(rps === undefined ? [] : [`--rps=${Math.max(1, Math.round(rps / clients))}`]),
    url,
  ];
  const out = await run(cpus, 'h2load', args);
  const requests =
    /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(
      out,
    );
  const finished = /finished in ([\d.]+)(m?s), ([\d.]+) req\/s/.exec(out);
  const status = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(out);
  if (requests === null || finished === null || status === null)
    throw new Error(`cannot read h2load output:\n${out}`);
  const latencies = readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split('\t')[2]) / 1000)
    .sort((a, b) => a - b);
  rmSync(log, { force: true });
  return {
    throughput: Number(finished[3]),
    done: Number(requests[3]),
    ok: Number(status[1]),
    // Calls cut off by the end of a timed run count as h2load 'failed'; only answers that were
    // not 2xx, and errors or timeouts, are failures here.
    failed:
      Number(status[2]) +
      Number(status[3]) +
      Number(status[4]) +
      Number(requests[6]) +
      Number(requests[7]),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];

/** wrk with the given headers; returns req/s, non-2xx count and p50/p99 in ms. */
export async function wrkHttp({ cpus, url, headers, connections, seconds }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  const out = await run(cpus, 'wrk', [...args, url]);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const total = /(\d+) requests in/.exec(out);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  if (rate === null || total === null) throw new Error(`cannot read wrk output:\n${out}`);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    out,
  );
  return {
    throughput: Number(rate[1]),
    done: Number(total[1]),
    failed:
      non2xx +
      (socketErrors === null ? 0 : socketErrors.slice(1).reduce((s, n) => s + Number(n), 0)),
    p50: p50 === null ? NaN : toMs(p50[1], p50[2]),
    p99: p99 === null ? NaN : toMs(p99[1], p99[2]),
  };
}
