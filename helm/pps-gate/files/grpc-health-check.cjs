// grpc.health.v1.Health/Check client for `helm test`: node -e <this> HOST:PORT [SERVICE...]
// Uses the @grpc/grpc-js already in the pps-gate image and a hand-written codec for the two
// one-field messages (grpc/grpc health/v1/health.proto), so it needs no .proto file.
// Exits 0 only if every named service (default: "") answers SERVING.
'use strict';
const grpc = require('@grpc/grpc-js');

const SERVING = 1;
const [target, ...named] = process.argv.slice(1);
const services = named.length > 0 ? named : [''];

function encodeRequest(service) {
  const bytes = Buffer.from(service, 'utf8');
  const length = [];
  for (let n = bytes.length; ; n >>>= 7) {
    if (n < 0x80) { length.push(n); break; }
    length.push((n & 0x7f) | 0x80);
  }
  // Field 1, wire type 2 (length-delimited): tag byte 0x0a.
  return Buffer.concat([Buffer.from([0x0a, ...length]), bytes]);
}

function decodeStatus(buffer) {
  // HealthCheckResponse has one varint field, status = 1 (tag byte 0x08); absent means UNKNOWN.
  let status = 0;
  for (let i = 0; i < buffer.length; ) {
    const tag = buffer[i++];
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buffer[i++];
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
    }
    if (tag === 0x08) status = value;
  }
  return status;
}

const client = new grpc.Client(target, grpc.credentials.createInsecure());
const deadline = () => new Date(Date.now() + 5000);
let failed = false;
let pending = services.length;
for (const service of services) {
  client.makeUnaryRequest('/grpc.health.v1.Health/Check', encodeRequest, decodeStatus, service,
    { deadline: deadline() }, (err, status) => {
      const ok = !err && status === SERVING;
      failed ||= !ok;
      console.log(`${JSON.stringify(service)}: ${err ? err.message : `status ${status}`}`);
      if (--pending === 0) { client.close(); process.exitCode = failed ? 1 : 0; }
    });
}
