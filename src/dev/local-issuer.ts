// A real OpenID Connect issuer on loopback for the demo and the tests: discovery and JWKS over
// HTTP, RS256/ES256/EdDSA signing keys, rotation, and switchable faults (src/dev/issuer-faults.ts)
// on either endpoint. It shapes its URLs like https://securetoken.google.com/<project>.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { serveFault, type FaultTarget, type IssuerMode } from './issuer-faults.js';

export type { FaultTarget, IssuerMode } from './issuer-faults.js';

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
  /** Discovery and JWKS requests received so far (refused connections never arrive). */
  readonly fetches: { discovery: number; jwks: number };
  /** The fault in force; 'refuse' needs `setMode`, which closes or reopens the port. */
  mode: IssuerMode;
  /** Which endpoint the fault applies to (default both). */
  faultOn: FaultTarget;
  slowMs: number;
  /** Where 'redirect' points (default a closed port); make it another host to test redirects. */
  redirectLocation: string;
  /** Sets the mode and, for 'refuse' or back from it, closes or reopens the listening port. */
  setMode(mode: IssuerMode): Promise<void>;
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

  const state = {
    mode: 'up' as IssuerMode,
    faultOn: 'all' as FaultTarget,
    slowMs: 0,
    redirectLocation: 'http://127.0.0.1:1/elsewhere',
  };
  let impostor: SigningKey | undefined;

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
    const faulty = state.faultOn === 'all' || (state.faultOn === 'discovery') === isDiscovery;
    const document: Record<string, unknown> = isDiscovery
      ? {
          issuer: handle.issuer,
          jwks_uri: handle.jwksUri,
          id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA', 'Ed25519'],
        }
      : { keys: published.map((k) => k.publicJwk) };
    const respond = (): void => {
      serveFault(faulty ? state.mode : 'up', response, {
        isDiscovery,
        document,
        redirectLocation: state.redirectLocation,
        privateJwk: async () => ({ ...(await exportJWK(current.privateKey)), kid: current.kid }),
        impostorJwk: async () => {
          // EC: key generation is quick even on a loaded box (an RSA one can outlast a wait budget).
          impostor ??= await createSigningKey('ES256');
          return { ...impostor.publicJwk, kid: current.kid };
        },
      }).catch(() => response.destroy());
    };
    if (faulty && state.mode === 'slow' && state.slowMs > 0)
      setTimeout(respond, state.slowMs).unref();
    else respond();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const handle: LocalIssuer = {
    issuer: `${origin}/${project}`,
    jwksUri: `${origin}/${project}/jwks.json`,
    audience: options.audience ?? project,
    fetches,
    get mode() {
      return state.mode;
    },
    set mode(mode: IssuerMode) {
      if ((mode === 'refuse') !== (state.mode === 'refuse'))
        throw new Error(`switching to or from 'refuse' needs await setMode('${mode}')`);
      state.mode = mode;
    },
    get faultOn() {
      return state.faultOn;
    },
    set faultOn(target: FaultTarget) {
      state.faultOn = target;
    },
    get redirectLocation() {
      return state.redirectLocation;
    },
    set redirectLocation(location: string) {
      state.redirectLocation = location;
    },
    async setMode(mode: IssuerMode) {
      const wasRefusing = state.mode === 'refuse';
      state.mode = mode;
      if (mode === 'refuse' && !wasRefusing) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else if (mode !== 'refuse' && wasRefusing) {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
      }
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
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  };
  return handle;
}
