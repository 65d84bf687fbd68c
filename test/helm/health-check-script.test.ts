// The `helm test` hook's gRPC health client, run against a real grpc.health.v1 server on loopback.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartDir, repoRoot } from '../support/helm-cli.js';

// grpc.health.v1 as published by grpc/grpc (doc/health-checking.md); encoded here by protobufjs,
// independently of the hand-written codec in the script under test.
const healthProto = `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
`;

const statuses: Record<string, string> = {
  '': 'SERVING',
  'envoy.service.auth.v3.Authorization': 'SERVING',
  'not.ready.Service': 'NOT_SERVING',
};

const script = readFileSync(join(chartDir, 'files', 'grpc-health-check.cjs'), 'utf8');
const run = promisify(execFile);

async function check(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    // As in the hook pod: node -e <script> TARGET SERVICE..., resolving @grpc/grpc-js from cwd.
    const { stdout } = await run(process.execPath, ['-e', script, ...args], { cwd: repoRoot });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string };
    return { code: e.code, output: e.stdout };
  }
}

describe('files/grpc-health-check.cjs', () => {
  const server = new grpc.Server();
  let target = '';
  let protoDir = '';

  beforeAll(async () => {
    protoDir = mkdtempSync(join(tmpdir(), 'pps-gate-health-'));
    writeFileSync(join(protoDir, 'health.proto'), healthProto);
    const definition = grpc.loadPackageDefinition(
      loadSync(join(protoDir, 'health.proto'), { enums: String }),
    );
    const health = (definition.grpc as grpc.GrpcObject).health as grpc.GrpcObject;
    const service = ((health.v1 as grpc.GrpcObject).Health as grpc.ServiceClientConstructor)
      .service;
    server.addService(service, {
      check(
        call: grpc.ServerUnaryCall<{ service: string }, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) {
        const status = statuses[call.request.service];
        if (status === undefined)
          callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else callback(null, { status });
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      );
    });
    target = `127.0.0.1:${port}`;
  });

  afterAll(() => {
    server.forceShutdown();
    rmSync(protoDir, { recursive: true, force: true });
  });

  it('exits 0 when the server and the Authorization service are SERVING', async () => {
    const result = await check(target, '', 'envoy.service.auth.v3.Authorization');
    expect(result.output).toContain('"envoy.service.auth.v3.Authorization": status 1');
    expect(result.code).toBe(0);
  });

  it('exits 1 when one service is NOT_SERVING', async () => {
    expect((await check(target, '', 'not.ready.Service')).code).toBe(1);
  });

  it('exits 1 when the service is unknown to the server', async () => {
    expect((await check(target, 'no.such.Service')).code).toBe(1);
  });

  it('exits 1 when nothing listens', async () => {
    expect((await check('127.0.0.1:1')).code).toBe(1);
  });
});
