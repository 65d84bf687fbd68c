// A lean gRPC load client on node:http2 for what h2load cannot do: a different request body per
// call (every token distinct). Run pinned by run.mjs:
//   node bench/lib/grpc-client.mjs URL BODIES_FILE CONNECTIONS STREAMS SECONDS
// BODIES_FILE holds gRPC-framed CheckRequests back to back; calls cycle through them. Every
// answer's grpc-status must be 0 and, every 50th, its decoded CheckResponse a real allow.
// Prints one JSON line: throughput, done, failed, p50, p99 (ms), firstError.
import { connect } from 'node:http2';
import { readFileSync } from 'node:fs';
import { CHECK_PATH, loadAuthorization, messageCodec, notAnAllow } from './grpc-messages.mjs';

const [url, bodiesFile, connections, streams, seconds] = process.argv.slice(2);
const codec = messageCodec(loadAuthorization());
const all = readFileSync(bodiesFile);
const bodies = [];
for (let at = 0; at < all.length;) {
  const length = all.readUInt32BE(at + 1);
  bodies.push(all.subarray(at, at + 5 + length));
  at += 5 + length;
}
const HEADERS = {
  ':method': 'POST',
  ':path': CHECK_PATH,
  'content-type': 'application/grpc',
  te: 'trailers',
};

const latencies = [];
let next = 0;
let done = 0;
let failed = 0;
let firstError;
const stopAt = performance.now() + Number(seconds) * 1000;
const startedAt = performance.now();

function fail(problem) {
  failed++;
  firstError ??= problem;
}

function call(session, onDone) {
  const sentAt = performance.now();
  const index = next++;
  const stream = session.request(HEADERS);
  const chunks = [];
  let grpcStatus;
  stream.on('response', (headers) => (grpcStatus = headers['grpc-status']));
  stream.on('trailers', (trailers) => (grpcStatus = trailers['grpc-status']));
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('error', (error) => fail(String(error)));
  stream.on('close', () => {
    latencies.push(performance.now() - sentAt);
    done++;
    if (grpcStatus !== '0') fail(`grpc-status ${grpcStatus}`);
    else if (index % 50 === 0) {
      const body = Buffer.concat(chunks);
      const problem = notAnAllow(codec.decodeResponse(body.subarray(5)));
      if (problem !== undefined) fail(problem);
    }
    onDone();
  });
  stream.end(bodies[index % bodies.length]);
}

const sessions = await Promise.all(
  Array.from(
    { length: Number(connections) },
    () =>
      new Promise((resolve, reject) => {
        const session = connect(url);
        session.once('connect', () => resolve(session));
        session.once('error', reject);
      }),
  ),
);
await new Promise((resolve) => {
  let inFlight = 0;
  const issue = (session) => {
    if (performance.now() >= stopAt) {
      if (inFlight === 0) resolve();
      return;
    }
    inFlight++;
    call(session, () => {
      inFlight--;
      issue(session);
    });
  };
  for (const session of sessions) for (let i = 0; i < Number(streams); i++) issue(session);
});
const elapsed = (performance.now() - startedAt) / 1000;
for (const session of sessions) session.close();
latencies.sort((a, b) => a - b);
const pick = (p) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)];
process.stdout.write(
  `${JSON.stringify({ throughput: done / elapsed, done, failed, p50: pick(0.5), p99: pick(0.99), firstError })}\n`,
);
