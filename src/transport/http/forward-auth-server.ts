// The HTTP transport: any method on any path is a check of the headers it carries, so nginx
// auth_request, ingress-nginx, Traefik ForwardAuth and Envoy's HTTP ext_authz mode can all
// point at it. Thin by design: read the request, run the shared check, write the decision.
// The request body is never read: the decision depends on headers only.
import { createServer } from 'node:http';
import { runCheck, type CheckDeps } from '../../pipeline/run-check.js';
import { toWebhookRequest } from './forward-auth-request.js';
import { writeDecision } from './forward-auth-response.js';
import { listen, type HttpServerHandle } from './listen.js';

export async function startForwardAuthServer(
  host: string,
  port: number,
  deps: CheckDeps,
): Promise<HttpServerHandle> {
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (message, response) => {
    const request = toWebhookRequest(message, deps.now());
    const result = runCheck(request, 'http', deps);
    if (result instanceof Promise)
      void result.then((decision) => writeDecision(response, decision));
    else writeDecision(response, result);
  });
  server.keepAliveTimeout = 65_000;
  // Node keeps only the first 2000 headers by default; a spoofed reserved header hidden past them
  // would never be named for removal. The 64 KiB header size limit bounds the count instead.
  server.maxHeadersCount = 0;
  return listen(server, host, port);
}
