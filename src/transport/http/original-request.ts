// Which request a forward-auth call is about, read from each proxy's own convention, and the
// auth hop's own headers dropped so only the webhook's headers reach the token check.
//
// The method and path are for logs only: the decision never depends on them, because a sender
// can add any of these headers itself wherever its proxy does not overwrite them.

export interface OriginalRequest {
  readonly method: string;
  readonly path: string;
}

/**
 * The `http_service.path_prefix` our Envoy HTTP-mode config uses: Envoy keeps the method and
 * sends `<path_prefix><original path>` (ext_authz.proto, HttpService.path_prefix).
 */
export const ENVOY_PATH_PREFIX = '/ext-authz';

// RFC 9110 §9.1: a method is a token.
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/;
// An origin-form request target: starts with "/", no spaces or control characters.
const PATH = /^\/[!-~\u0080-\uffff]{0,8191}$/;
// ingress-nginx's X-Original-URL is `$scheme://$http_host$request_uri`.
const ABSOLUTE_URL = /^https?:\/\/[^/?#\s]+(\/[!-~\u0080-\uffff]{0,8191})?$/i;

function method(value: string | undefined): string | undefined {
  return value !== undefined && METHOD.test(value) ? value.toUpperCase() : undefined;
}

function path(value: string | undefined): string | undefined {
  return value !== undefined && PATH.test(value) ? value : undefined;
}

function pathOfUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const match = ABSOLUTE_URL.exec(value);
  return match === null ? undefined : (match[1] ?? '/');
}

/**
 * The original method and path. Most specific convention first: ingress-nginx
 * (`X-Original-URL`, an absolute URL only it sends), Traefik (`X-Forwarded-Uri` and
 * `X-Forwarded-Method`), plain nginx `auth_request` as commonly configured (`X-Original-URI`,
 * `X-Original-Method`), Envoy HTTP mode (the path under ENVOY_PATH_PREFIX), else the call itself.
 */
export function originalRequest(
  callMethod: string,
  callPath: string,
  headers: Readonly<Record<string, string>>,
): OriginalRequest {
  // ingress-nginx also sends X-Auth-Request-Redirect ($request_uri unless an annotation says
  // otherwise): the path to fall back on when X-Original-URL does not parse.
  const ingressPath =
    headers['x-original-url'] === undefined
      ? undefined
      : (pathOfUrl(headers['x-original-url']) ?? path(headers['x-auth-request-redirect']));
  if (ingressPath !== undefined) {
    return {
      method: method(headers['x-original-method']) ?? callMethod,
      path: ingressPath,
    };
  }
  const traefikPath = path(headers['x-forwarded-uri']);
  if (traefikPath !== undefined) {
    return {
      method: method(headers['x-forwarded-method']) ?? callMethod,
      path: traefikPath,
    };
  }
  const nginxPath = path(headers['x-original-uri']);
  if (nginxPath !== undefined) {
    return {
      method: method(headers['x-original-method']) ?? callMethod,
      path: nginxPath,
    };
  }
  const envoyPath = underPrefix(callPath);
  if (envoyPath !== undefined) return { method: callMethod, path: envoyPath };
  return { method: callMethod, path: callPath };
}

function underPrefix(callPath: string): string | undefined {
  if (!callPath.startsWith(ENVOY_PATH_PREFIX)) return undefined;
  const rest = callPath.slice(ENVOY_PATH_PREFIX.length);
  if (rest === '') return '/';
  if (rest.startsWith('/')) return rest;
  return rest.startsWith('?') ? `/${rest}` : undefined;
}

// RFC 9110 §7.6.1 connection options, plus the auth call's own framing and proxy credentials:
// they describe the hop from the proxy to pps-gate (whose body is empty), not the webhook.
const HOP_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/**
 * The headers without the auth hop's own ones, including those its Connection header names.
 * The record itself when it holds none (the common case: no copy).
 */
export function withoutHopHeaders(
  headers: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const named =
    headers.connection === undefined
      ? undefined
      : headers.connection.split(',').map((name) => name.trim().toLowerCase());
  const isHop = (name: string): boolean => HOP_HEADERS.has(name) || named?.includes(name) === true;
  let found = false;
  for (const name in headers)
    if (isHop(name)) {
      found = true;
      break;
    }
  if (!found) return headers;
  const kept: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name in headers) if (!isHop(name)) kept[name] = headers[name]!;
  return kept;
}
