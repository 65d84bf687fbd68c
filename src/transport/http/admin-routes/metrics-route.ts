// GET /metrics on the admin port: the Prometheus text exposition of the gate's own registry.
import type { Registry } from 'prom-client';
import type { AdminRoute } from '../admin-server.js';

export function metricsRoute(registry: Registry): AdminRoute {
  return async (response) => {
    const text = await registry.metrics();
    response
      .writeHead(200, {
        'content-type': registry.contentType,
        'content-length': String(Buffer.byteLength(text)),
      })
      .end(text);
  };
}
