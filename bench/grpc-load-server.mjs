// Child process for bench/grpc-load.mjs: serves one gRPC server on 127.0.0.1 (port 0) and answers
// the parent over IPC. Started with child_process.fork, never on its own.
//   { type: 'start', kind: 'gate', issuer, audience }   pps-gate's real server (startGate)
//   { type: 'start', kind: 'baseline', response }      plain grpc-js, Check answers `response`
//   { type: 'usage' }  -> { type: 'usage', cpu, memory }   process.cpuUsage / memoryUsage
//   { type: 'stop' }   closes the server and exits 0 (so --cpu-prof can write its profile)
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { startLoopbackGate } from '../dist/gate/start-loopback-gate.js';
import { GateMetrics } from '../dist/telemetry/metrics.js';
import { loadGateProtos } from '../dist/transport/grpc/load-protos.js';

if (process.send === undefined) {
  console.error(
    'bench/grpc-load-server.mjs is started by bench/grpc-load.mjs (node bench/grpc-load.mjs)',
  );
  process.exit(2);
}

async function startPpsGate({ issuer, audience, withMetrics }) {
  const gate = await startLoopbackGate([{ issuer, audiences: [audience] }], 'bench', {
    ...(withMetrics ? { metrics: new GateMetrics() } : {}),
  });
  const keys = gate.keys.describe();
  return { port: gate.grpcPort, close: () => gate.close(1000), keys };
}

async function startBaseline({ response }) {
  const server = new Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
  server.addService(loadGateProtos().authorization.service, {
    // The framework floor: decode the request, answer a fixed allow, verify nothing.
    Check(_call, callback) {
      callback(null, response);
    },
  });
  const port = await new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  return {
    port,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
}

let handle;
process.on('message', (message) => {
  switch (message.type) {
    case 'start': {
      const start = message.kind === 'gate' ? startPpsGate(message) : startBaseline(message);
      start.then(
        (started) => {
          handle = started;
          process.send({ type: 'ready', port: started.port, keys: started.keys });
        },
        (error) => {
          process.send({ type: 'error', message: String(error?.stack ?? error) });
          process.exit(1);
        },
      );
      return;
    }
    case 'usage':
      process.send({ type: 'usage', cpu: process.cpuUsage(), memory: process.memoryUsage() });
      return;
    case 'stop':
      Promise.resolve(handle?.close()).finally(() => process.exit(0));
      return;
    default:
      process.send({ type: 'error', message: `unknown message ${message.type}` });
  }
});
process.on('disconnect', () => process.exit(0));
