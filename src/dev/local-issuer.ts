// A real OpenID Connect issuer on loopback for the demo and the tests: discovery and JWKS over
// HTTP, RS256/ES256/EdDSA signing keys, and switches to go down, be slow, serve garbage,
// redirect, or rotate keys. It shapes its URLs like https://securetoken.google.com/<project>.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export type IssuerMode = 'up' | 'down' | 'slow' | 'garbage' | 'redirect' | 'huge';

/** `Ed25519` is RFC 9864's fully-specified name, as node-oidc-provider 9 signs. */
export type LocalSigningAlg = 'RS256' | 'ES256' | 'EdDSA' | 'Ed25519' | 'PS256';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface SignOptions {
  /** Claims to set; `undefined` values remove a default claim. */
  readonly claims?: Record<string, unknown>;
  readonly kid?: string;
  /** Extra or replaced JOSE header parameters. */
  readonly header?: Record<string, unknown>;
  /** Sign with this key instead of the current one. */
  readonly key?: SigningKey;
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  /** Discovery and JWKS requests served so far. */
  readonly fetches: { discovery: number; jwks: number };
  mode: IssuerMode;
  slowMs: number;
  sign(options?: SignOptions): Promise<string>;
  /** Creates a key, publishes it and makes it the one `sign` uses. */
  rotate(alg?: LocalSigningAlg, publishAlg?: boolean): Promise<SigningKey>;
  /** A key that is never published (for unknown-kid and forged-signature cases). */
  unpublishedKey(alg?: LocalSigningAlg): Promise<SigningKey>;
  unpublish(kid: string): void;
  readonly publishedKids: readonly string[];
  close(): Promise<void>;
}

let keyCounter = 0;

export async function createSigningKey(
  alg: LocalSigningAlg,
  publishAlg = true,
): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  });
  const kid = `${alg.toLowerCase()}-${Date.now().toString(36)}-${(keyCounter++).toString(36)}`;
  const publicJwk = {
    ...(await exportJWK(publicKey)),
    kid,
    use: 'sig',
    ...(publishAlg ? { alg } : {}),
  };
  return { kid, alg, privateKey, publicJwk };
}

export async function startLocalIssuer(
  options: { project?: string; audience?: string; port?: number } = {},
): Promise<LocalIssuer> {
  const project = options.project ?? 'pps-local-dev';
  const published: SigningKey[] = [];
  let current = await createSigningKey('RS256');
  published.push(current);
  const fetches = { discovery: 0, jwks: 0 };
  const state = { mode: 'up' as IssuerMode, slowMs: 0 };

  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    const isDiscovery = path === `/${project}/.well-known/openid-configuration`;
    const isJwks = path === `/${project}/jwks.json`;
    if (!isDiscovery && !isJwks) {
      response.writeHead(404).end();
      return;
    }
    if (isDiscovery) fetches.discovery++;
    else fetches.jwks++;
    const respond = (): void => {
      switch (state.mode) {
        case 'down':
          response.writeHead(503, { 'content-type': 'text/plain' }).end('down for maintenance');
          return;
        case 'garbage':
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end('<html>not json</html>');
          return;
        case 'redirect':
          response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
          return;
        case 'huge':
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(`{"keys":[],"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`);
          return;
        default: {
          const body = isDiscovery
            ? {
                issuer: handle.issuer,
                jwks_uri: handle.jwksUri,
                id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA', 'Ed25519'],
              }
            : { keys: published.map((k) => k.publicJwk) };
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        }
      }
    };
    if (state.mode === 'slow' && state.slowMs > 0) setTimeout(respond, state.slowMs).unref();
    else respond();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const handle: LocalIssuer = {
    issuer: `${origin}/${project}`,
    jwksUri: `${origin}/${project}/jwks.json`,
    audience: options.audience ?? project,
    fetches,
    get mode() {
      return state.mode;
    },
    set mode(mode: IssuerMode) {
      state.mode = mode;
    },
    get slowMs() {
      return state.slowMs;
    },
    set slowMs(ms: number) {
      state.slowMs = ms;
    },
    get publishedKids() {
      return published.map((k) => k.kid);
    },
    async sign(signOptions: SignOptions = {}) {
      const key = signOptions.key ?? current;
      const nowSec = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: handle.issuer,
        aud: handle.audience,
        sub: 'pps-webhook-sender',
        iat: nowSec,
        exp: nowSec + 3600,
        auth_time: nowSec,
      };
      for (const [name, value] of Object.entries(signOptions.claims ?? {})) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      const header = {
        alg: key.alg,
        kid: signOptions.kid ?? key.kid,
        typ: 'JWT',
        ...signOptions.header,
      };
      return new SignJWT(claims).setProtectedHeader(header).sign(key.privateKey);
    },
    async rotate(alg = 'RS256', publishAlg = true) {
      current = await createSigningKey(alg, publishAlg);
      published.push(current);
      return current;
    },
    unpublishedKey: (alg = 'RS256') => createSigningKey(alg),
    unpublish(kid) {
      const index = published.findIndex((k) => k.kid === kid);
      if (index >= 0) published.splice(index, 1);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return handle;
}
