// Decision -> the HTTP answer a forward-auth proxy reads. Allow: 200 with the x-pps-auth-*
// identity headers (and Envoy's removal list). Deny: the reason's status, JSON body, a header
// copy of the body for nginx, and Retry-After when retryable.
import type { ServerResponse } from 'node:http';
import { REASONS } from '../../errors/reasons.js';
import type { Decision } from '../../pipeline/decision.js';
import { allowHeaders } from '../allow-headers.js';
import { denyBody } from '../deny-body.js';

// A header value must be Latin-1 without controls; JSON.stringify already escapes controls.
const asciiJson = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function writeDecision(response: ServerResponse, decision: Decision): void {
  if (decision.allowed) {
    for (const [name, value] of allowHeaders(decision)) response.setHeader(name, value);
    // Envoy's HTTP mode removes what this lists from the upstream request (ext_authz.proto,
    // OkHttpResponse.headers_to_remove); the other proxies strip Authorization in their config.
    const remove = decision.headersToRemove;
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
