// grpc.health.v1 over a real loopback gRPC server: "" tracks liveness, the Authorization service
// tracks readiness, so a pod waiting for its config is not ready but never restarted.
import { credentials, Server, ServerCredentials, type Client } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { Readiness } from '../../lifecycle/readiness.js';
import { AUTHORIZATION_SERVICE, healthService } from './health-service.js';
import { loadGateProtos } from './load-protos.js';

type HealthCheck = (
  request: { service: string },
  callback: (error: Error | null, response?: { status: number }) => void,
) => void;

const SERVING = 1;
const NOT_SERVING = 2;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function serve(readiness: Readiness): Promise<(service: string) => Promise<number>> {
  const { health } = loadGateProtos();
  const server = new Server();
  server.addService(health.service, healthService(readiness));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new health(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  ) as unknown as Client & {
    Check: HealthCheck;
  };
  cleanups.push(() => {
    client.close();
    server.forceShutdown();
  });
  return (service) =>
    new Promise((resolve, reject) =>
      client.Check({ service }, (error, response) =>
        error ? reject(error) : resolve(response!.status),
      ),
    );
}

describe('grpc.health.v1 Check', () => {
  it('reports "" SERVING once listening even without a config, and the Authorization service only once ready', async () => {
    const readiness = new Readiness();
    const status = await serve(readiness);
    expect([await status(''), await status(AUTHORIZATION_SERVICE)]).toEqual([
      NOT_SERVING,
      NOT_SERVING,
    ]);
    readiness.satisfy('grpc');
    readiness.satisfy('http');
    expect([await status(''), await status(AUTHORIZATION_SERVICE)]).toEqual([SERVING, NOT_SERVING]);
    readiness.satisfy('config');
    expect([await status(''), await status(AUTHORIZATION_SERVICE)]).toEqual([SERVING, SERVING]);
  });

  it('reports both NOT_SERVING while draining', async () => {
    const readiness = new Readiness();
    const status = await serve(readiness);
    for (const condition of ['grpc', 'http', 'config'] as const) readiness.satisfy(condition);
    readiness.startDraining();
    expect([await status(''), await status(AUTHORIZATION_SERVICE)]).toEqual([
      NOT_SERVING,
      NOT_SERVING,
    ]);
  });

  it('answers NOT_FOUND for a service it does not serve', async () => {
    const status = await serve(new Readiness());
    await expect(status('some.other.Service')).rejects.toThrow(/NOT_FOUND|unknown service/);
  });
});
