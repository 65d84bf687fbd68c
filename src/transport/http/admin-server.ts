// The admin port: liveness (/healthz: the process answers) and readiness (/readyz: config
// loaded, servers listening, not draining; never waits on a remote issuer). Extra routes
// (metrics, keys, config) plug in through `routes`: a path for GET/HEAD, "POST /path" for an
// action such as POST /keys/refresh.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Readiness } from '../../lifecycle/readiness.js';
import { listen, type HttpServerHandle } from './listen.js';

export type AdminRoute = (
  response: ServerResponse,
  request: IncomingMessage,
) => void | Promise<void>;

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  response
    .writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
    })
    .end(text);
}

export async function startAdminServer(
  host: string,
  port: number,
  readiness: Readiness,
  routes: Readonly<Record<string, AdminRoute>> = {},
): Promise<HttpServerHandle> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    const key = isRead ? path : `${request.method} ${path}`;
    if (!isRead && routes[key] === undefined) {
      sendJson(response, 405, { error: 'method not allowed' });
      return;
    }
    if (path === '/healthz') {
      sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      sendJson(response, readiness.ready ? 200 : 503, {
        ready: readiness.ready,
        waitingFor: readiness.missing,
      });
      return;
    }
    const route = routes[key];
    if (route === undefined && routes[`POST ${path}`] !== undefined) {
      response.setHeader('allow', 'POST');
      sendJson(response, 405, { error: `${path} takes POST` });
      return;
    }
    if (route === undefined) {
      sendJson(response, 404, {
        error: `no route ${path}`,
        routes: ['/healthz', '/readyz', ...Object.keys(routes)],
      });
      return;
    }
    Promise.resolve(route(response, request)).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: (error as Error).message });
    });
  });
  return listen(server, host, port);
}
