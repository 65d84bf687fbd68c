// Starting and draining a node:http server, shared by the forward-auth and admin ports.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServerHandle {
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish (bounded by `graceMs`), then closes. */
  close(graceMs: number): Promise<void>;
}

export async function listen(
  server: Server,
  host: string,
  port: number,
): Promise<HttpServerHandle> {
  let closing = false;
  // A keep-alive connection busy when close() began turns idle once its answer is sent; without
  // this it would hold close() open until the drain timeout (or keepAliveTimeout) ran out.
  server.on('request', (_request, response) => {
    response.once('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        closing = true;
        const force = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        // Idle keep-alive connections would hold close() open until they time out.
        server.closeIdleConnections();
      }),
  };
}
