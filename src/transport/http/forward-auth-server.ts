// The HTTP transport: any method on any path is a check of the headers it carries, so nginx
// auth_request, ingress-nginx, Traefik ForwardAuth and Envoy's HTTP ext_authz mode can all
// point at it. Allow: 200 with the x-pps-auth-* identity headers. Deny: the reason's status and
// JSON body. The request body is never read: the decision depends on headers only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { REASONS } from '../../errors/reasons.js';
import type { Decision } from '../../pipeline/decision.js';
import { runCheck, type CheckDeps } from '../../pipeline/run-check.js';
import { mergeHeaders, type WebhookRequest } from '../../pipeline/webhook-request.js';
import { denyBody, headersToRemove, identityHeaders } from '../identity-headers.js';
import { listen, type HttpServerHandle } from './listen.js';
import { originalRequest, withoutHopHeaders } from './original-request.js';

function* headerEntries(message: IncomingMessage): Generator<[string, string]> {
  // headersDistinct keeps repeats (Node's `headers` silently drops a second Authorization).
  for (const [name, values] of Object.entries(message.headersDistinct)) {
    for (const value of values ?? []) yield [name, value];
  }
}

export function toWebhookRequest(message: IncomingMessage, receivedAtMs: number): WebhookRequest {
  const headers = withoutHopHeaders(mergeHeaders(headerEntries(message)));
  const { method, path } = originalRequest(message.method ?? 'GET', message.url ?? '/', headers);
  return { id: headers['x-request-id'], method, path, headers, receivedAtMs };
}

// A header value must be Latin-1 without controls; JSON.stringify already escapes controls.
const asciiJson = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function writeDecision(
  response: ServerResponse,
  decision: Decision,
  request: WebhookRequest,
): void {
  if (decision.allowed) {
    for (const [name, value] of identityHeaders(decision)) response.setHeader(name, value);
    // Envoy's HTTP mode removes what this lists from the upstream request (ext_authz.proto,
    // OkHttpResponse.headers_to_remove); the other proxies strip Authorization in their config.
    const remove = headersToRemove(decision, request.headers);
    if (remove.length > 0) response.setHeader('x-envoy-auth-headers-to-remove', remove.join(', '));
    response.writeHead(200, { 'content-length': '0' }).end();
    return;
  }
  const body = denyBody(decision);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-pps-gate-reason': decision.reason,
    // nginx auth_request discards the body of the auth answer; its error_page rebuilds the
    // same JSON from this header (deploy/nginx/README.md).
    'x-pps-gate-deny-body': asciiJson(body),
  };
  if (decision.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(decision.retryAfterSeconds);
  response.writeHead(REASONS[decision.reason].httpStatus, headers).end(body);
}

export async function startForwardAuthServer(
  host: string,
  port: number,
  deps: CheckDeps,
): Promise<HttpServerHandle> {
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (message, response) => {
    const request = toWebhookRequest(message, deps.now());
    const result = runCheck(request, 'http', deps);
    if (result instanceof Promise)
      void result.then((decision) => writeDecision(response, decision, request));
    else writeDecision(response, result, request);
  });
  server.keepAliveTimeout = 65_000;
  return listen(server, host, port);
}
