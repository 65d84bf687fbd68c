// Decision -> the HTTP answer a forward-auth proxy reads. Allow: 200 with the x-pps-auth-*
// identity headers (and Envoy's removal list). Deny: the reason's status, JSON body, a header
// copy of the body for nginx, and Retry-After when retryable.
import type { ServerResponse } from 'node:http';
import { REASONS } from '../../errors/reasons.js';
import type { Allow, Decision, VerifiedIdentity } from '../../pipeline/decision.js';
import { deliveryHeaders } from '../../pipeline/delivery-headers.js';
import { identityHeaders, requestAllowHeaders } from '../allow-headers.js';
import { denyBody } from '../deny-body.js';

// A header value must be Latin-1 without controls; JSON.stringify already escapes controls.
const asciiJson = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// The identity headers as writeHead's flat [name, value, ...] list, built once per verified
// identity (a cached token's identity is one object for the entry's lifetime).
const prebuilt = new WeakMap<VerifiedIdentity, readonly string[]>();
function flatIdentityHeaders(identity: VerifiedIdentity): readonly string[] {
  let flat = prebuilt.get(identity);
  if (flat === undefined) {
    flat = identityHeaders(identity).flat();
    prebuilt.set(identity, flat);
  }
  return flat;
}

function flatAllowHeaders(allow: Allow): string[] {
  const headers = [...flatIdentityHeaders(allow.identity)];
  for (const [name, value] of requestAllowHeaders(allow)) headers.push(name, value);
  return headers;
}

export function writeDecision(response: ServerResponse, decision: Decision): void {
  if (decision.allowed) {
    const headers = flatAllowHeaders(decision);
    headers.push('content-length', '0');
    // Envoy's HTTP mode removes what this lists from the upstream request (ext_authz.proto,
    // OkHttpResponse.headers_to_remove); the other proxies strip Authorization in their config.
    const remove = decision.headersToRemove;
    if (remove.length > 0) headers.push('x-envoy-auth-headers-to-remove', remove.join(', '));
    response.writeHead(200, headers).end();
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
  if (decision.delivery !== undefined)
    for (const [name, value] of deliveryHeaders(decision.delivery)) headers[name] = value;
  response.writeHead(REASONS[decision.reason].httpStatus, headers).end(body);
}
