// The HTTP transport: any method on any path is a check of the headers it carries, so nginx
// auth_request, Traefik ForwardAuth and Envoy's HTTP ext_authz mode can all point at it.
// Allow: 200 with the x-pps-auth-* identity headers. Deny: the reason's status and JSON body.
// The request body is never read: the decision depends on headers only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { REASONS } from '../../errors/reasons.js';
import type { Decision } from '../../pipeline/decision.js';
import { runCheck, type CheckDeps } from '../../pipeline/run-check.js';
import { mergeHeaders, type WebhookRequest } from '../../pipeline/webhook-request.js';
import { denyBody, identityHeaders } from '../identity-headers.js';
import { listen, type HttpServerHandle } from './listen.js';

function* headerEntries(message: IncomingMessage): Generator<[string, string]> {
  // headersDistinct keeps repeats (Node's `headers` silently drops a second Authorization).
  for (const [name, values] of Object.entries(message.headersDistinct)) {
    for (const value of values ?? []) yield [name, value];
  }
}

export function toWebhookRequest(message: IncomingMessage, receivedAtMs: number): WebhookRequest {
  const headers = mergeHeaders(headerEntries(message));
  return { id: headers['x-request-id'], method: message.method ?? 'GET', path: message.url ?? '/', headers, receivedAtMs };
}

export function writeDecision(response: ServerResponse, decision: Decision): void {
  if (decision.allowed) {
    for (const [name, value] of identityHeaders(decision)) response.setHeader(name, value);
    response.writeHead(200, { 'content-length': '0' }).end();
    return;
  }
  const body = denyBody(decision);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-pps-gate-reason': decision.reason,
  };
  if (decision.retryAfterSeconds !== undefined) headers['retry-after'] = String(decision.retryAfterSeconds);
  response.writeHead(REASONS[decision.reason].httpStatus, headers).end(body);
}

export async function startForwardAuthServer(host: string, port: number, deps: CheckDeps): Promise<HttpServerHandle> {
  const server = createServer({ maxHeaderSize: 64 * 1024 }, (message, response) => {
    const request = toWebhookRequest(message, deps.now());
    const result = runCheck(request, 'http', deps);
    if (result instanceof Promise) void result.then((decision) => writeDecision(response, decision));
    else writeDecision(response, result);
  });
  server.keepAliveTimeout = 65_000;
  return listen(server, host, port);
}
