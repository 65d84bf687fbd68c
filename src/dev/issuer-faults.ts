// The faults the loopback issuer can switch on, for the demo and the fault matrix: each is what a
// real discovery or JWKS endpoint has been seen to do (go down, hang, redirect, answer HTML or
// half a document, flood, publish private or ambiguous keys, or name another issuer).
import type { ServerResponse } from 'node:http';
import type { JWK } from 'jose';

export type IssuerMode =
  /** Serves discovery and keys. */
  | 'up'
  /** 503 with a text body. */
  | 'down'
  /** 500 with a JSON error body. */
  | 'error'
  /** Nothing listens on the port: connections are refused (use `setMode`). */
  | 'refuse'
  /** Accepts the connection and the request, then never answers. */
  | 'blackhole'
  /** Answers correctly after `slowMs`. */
  | 'slow'
  /** `application/json` that is not JSON. */
  | 'garbage'
  /** A `text/html` error page, as a captive portal or a misrouted ingress sends. */
  | 'html'
  /** The right document cut in half (a well-formed HTTP answer carrying truncated JSON). */
  | 'truncated'
  /** 302 to `redirectLocation` (another host). */
  | 'redirect'
  /** A 2 MiB JSON body with its Content-Length declared. */
  | 'huge'
  /** A 10 MiB JSON body streamed without a Content-Length. */
  | 'huge-stream'
  /** The key set also carries the current signing key's private part (`d`). */
  | 'private-key'
  /** The key set publishes the current kid twice, the second time with another key. */
  | 'duplicate-kids'
  /** A well-formed, empty key set: `{"keys":[]}`. */
  | 'empty-set'
  /** Discovery names an issuer other than the one asked about. */
  | 'wrong-issuer';

/** Which endpoint a fault applies to; the other one keeps serving normally. */
export type FaultTarget = 'all' | 'discovery' | 'jwks';

export interface FaultContext {
  readonly isDiscovery: boolean;
  /** The correct document for this endpoint. */
  readonly document: Record<string, unknown>;
  readonly redirectLocation: string;
  /** The current key's private JWK (for 'private-key') and another public JWK (for 'duplicate-kids'). */
  readonly privateJwk: () => Promise<JWK>;
  readonly impostorJwk: () => Promise<JWK>;
}

const STREAM_BYTES = 10 * 1024 * 1024;
// Built once: producing 2 MiB per request would itself be slow enough to hit a short fetch timeout.
const HUGE_BODY = Buffer.from(`{"keys":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

function sendJson(response: ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function streamHuge(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{"keys":[],"pad":"');
  let sent = 0;
  const pump = (): void => {
    while (sent < STREAM_BYTES) {
      sent += CHUNK.length;
      // A reader that stopped (the gate at its cap) closes the socket; stop writing then.
      if (response.destroyed) return;
      if (!response.write(CHUNK)) {
        response.once('drain', pump);
        return;
      }
    }
    response.end('"}');
  };
  pump();
}

/** Writes the answer for `mode` (never called for 'refuse', which has no listener). */
export async function serveFault(
  mode: IssuerMode,
  response: ServerResponse,
  context: FaultContext,
): Promise<void> {
  const { isDiscovery, document } = context;
  switch (mode) {
    case 'down':
      response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
      return;
    case 'error':
      response
        .writeHead(500, { 'content-type': 'application/json' })
        .end('{"error":"internal_error"}');
      return;
    case 'blackhole':
      // Keep the socket open and silent; closeAllConnections() at close() ends it.
      return;
    case 'garbage':
      response.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>');
      return;
    case 'html':
      response
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><html><body><h1>Sign in to continue</h1></body></html>');
      return;
    case 'truncated': {
      const text = JSON.stringify(document);
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(text.slice(0, Math.floor(text.length / 2)));
      return;
    }
    case 'redirect':
      response.writeHead(302, { location: context.redirectLocation }).end();
      return;
    case 'huge':
      response
        .writeHead(200, {
          'content-type': 'application/json',
          'content-length': String(HUGE_BODY.length),
        })
        .end(HUGE_BODY);
      return;
    case 'huge-stream':
      streamHuge(response);
      return;
    case 'private-key':
      if (isDiscovery) break;
      sendJson(response, { keys: [...(document.keys as JWK[]), await context.privateJwk()] });
      return;
    case 'duplicate-kids':
      if (isDiscovery) break;
      sendJson(response, { keys: [...(document.keys as JWK[]), await context.impostorJwk()] });
      return;
    case 'empty-set':
      if (isDiscovery) break;
      sendJson(response, { keys: [] });
      return;
    case 'wrong-issuer':
      if (!isDiscovery) break;
      sendJson(response, { ...document, issuer: `${String(document.issuer)}-impostor` });
      return;
    case 'up':
    case 'slow':
    case 'refuse':
      break;
  }
  sendJson(response, document);
}
