// A grpc.health.v1 Watch stream (grpc-js clients with health checking keep one open) must follow
// readiness into NOT_SERVING when a drain starts and then end, so it never holds the graceful
// shutdown until the drain timeout force-cancels everything.
import { expect, it } from 'vitest';
import { startLoopbackGate } from '../../src/gate/start-loopback-gate.js';
import { createHealthClient } from '../support/envoy-client.js';

it('ends a health Watch with NOT_SERVING when the drain starts, instead of being cancelled at the timeout', async () => {
  // An issuer nobody serves: the prefetch fails at once, which this test does not care about.
  const gate = await startLoopbackGate(
    [{ issuer: 'http://127.0.0.1:9/none', audiences: ['a'] }],
    'watch test',
  );
  const client = createHealthClient(`127.0.0.1:${gate.grpcPort}`);
  const statuses: string[] = [];
  const stream = client.watch('');
  const ended = new Promise<string>((resolve) => {
    stream.on('end', () => resolve('end'));
    stream.on('error', (error: Error) => resolve(`error: ${error.message}`));
  });
  await new Promise<void>((resolve) =>
    stream.once(
      'data',
      (message: { status: string }) => (statuses.push(message.status), resolve()),
    ),
  );
  stream.on('data', (message: { status: string }) => statuses.push(message.status));

  // A 60 s drain: if the stream held it, the test would time out long before close() returned.
  const closed = gate.close(60_000);
  expect(await ended).toBe('end');
  await closed;
  client.close();
  expect(statuses).toEqual(['SERVING', 'NOT_SERVING']); // then the stream ends
});
