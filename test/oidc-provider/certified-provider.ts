// panva's node-oidc-provider (OpenID Certified) on loopback, and a client that drives its real
// authorization-code flow with PKCE over HTTP (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1): the
// authorization endpoint, the provider's own development login and consent forms, the redirect
// carrying the code, and the token endpoint with client_secret_basic. What comes back is a real
// ID token, signed the way the provider signs for that client.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type SigningAlgorithmWithNone } from 'oidc-provider';

export const REDIRECT_URI = 'http://127.0.0.1:1/callback';

export interface ClientSpec {
  readonly clientId: string;
  /** The alg the provider signs this client's ID tokens with (id_token_signed_response_alg). */
  readonly idTokenAlg: SigningAlgorithmWithNone;
  /** ID token lifetime in seconds (provider default: 3600). */
  readonly idTokenTtlSeconds?: number;
}

export const clientSecret = (clientId: string): string => `secret-of-${clientId}-0123456789abcdef`;

/** A private JWKS with one RSA, one P-256 and one Ed25519 key, kids tagged with `generation`. */
export async function signingKeys(generation: string): Promise<JWK[]> {
  const pairs = await Promise.all([
    generateKeyPair('RS256', { extractable: true, modulusLength: 2048 }),
    generateKeyPair('ES256', { extractable: true }),
    generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true }),
  ]);
  return Promise.all(
    pairs.map(async ({ privateKey }, i) => ({
      ...(await exportJWK(privateKey)),
      kid: `${generation}-${['rsa', 'ec', 'okp'][i]}`,
      use: 'sig',
    })),
  );
}

export interface CertifiedProvider {
  readonly issuer: string;
  readonly port: number;
  /** Signs in as `subject`, consents, and returns the ID token issued to `clientId`. */
  idToken(clientId: string, subject: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the provider on `port` (0: any free loopback port); its issuer is http://127.0.0.1:PORT. */
export async function startCertifiedProvider(
  clients: readonly ClientSpec[],
  keys: readonly JWK[],
  port = 0,
): Promise<CertifiedProvider> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const boundPort = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${boundPort}`;
  const ttlOf = new Map(clients.map((c) => [c.clientId, c.idTokenTtlSeconds ?? 3600]));
  const provider = new Provider(issuer, {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: clientSecret(c.clientId),
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: c.idTokenAlg,
    })),
    jwks: { keys: [...keys] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    ttl: {
      // Explicit lifetimes for the flow's own artifacts (the provider warns about defaults).
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: (_ctx, _token, client) => ttlOf.get(client.clientId) ?? 3600,
    },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  });
  const handle = provider.callback();
  server.on('request', (request, response) => void handle(request, response));
  return {
    issuer,
    port: boundPort,
    idToken: (clientId, subject) => authorizationCodeFlow(issuer, clientId, subject),
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Cookies as a browser would keep them for one loopback origin (paths ignored: one flow). */
class CookieJar {
  private readonly cookies = new Map<string, string>();

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', v = ''] = a.trim().split('=');
        return (
          (key.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) ||
          (key.toLowerCase() === 'max-age' && Number(v) <= 0)
        );
      });
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }
}

/** One request of the flow; redirects are followed by hand so every cookie is kept. */
async function step(
  jar: CookieJar,
  url: string,
  init: { method?: string; form?: Record<string, string> } = {},
): Promise<Response> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      cookie: jar.header(),
      ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
  });
  jar.take(response);
  return response;
}

async function authorizationCodeFlow(
  issuer: string,
  clientId: string,
  subject: string,
): Promise<string> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const authorize = new URL('/auth', issuer);
  authorize.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT_URI,
    state,
    nonce,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();

  let response = await step(jar, authorize.href);
  let code: string | undefined;
  for (let hop = 0; hop < 12 && code === undefined; hop++) {
    if (response.status === 200) {
      // An interaction page: the provider's development login form, then its consent form.
      const html = await response.text();
      const action = /action="([^"]+)"/.exec(html)?.[1];
      const prompt = /name="prompt" value="([a-z]+)"/.exec(html)?.[1];
      if (action === undefined || prompt === undefined)
        throw new Error(`unexpected interaction page from ${response.url}: ${html.slice(0, 300)}`);
      const form: Record<string, string> =
        prompt === 'login' ? { prompt, login: subject, password: 'any' } : { prompt };
      response = await step(jar, new URL(action, issuer).href, { method: 'POST', form });
      continue;
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || location === null)
      throw new Error(`authorization flow stopped at ${response.status}: ${await response.text()}`);
    const next = new URL(location, issuer);
    if (next.href.startsWith(REDIRECT_URI)) {
      if (next.searchParams.get('state') !== state) throw new Error('state mismatch');
      const error = next.searchParams.get('error');
      if (error !== null)
        throw new Error(`${error}: ${next.searchParams.get('error_description') ?? ''}`);
      code = next.searchParams.get('code') ?? undefined;
    } else {
      response = await step(jar, next.href);
    }
  }
  if (code === undefined) throw new Error('the authorization flow never reached the redirect URI');

  const token = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret(clientId)}`).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
    }).toString(),
  });
  const answer = (await token.json()) as { id_token?: string; error?: string };
  if (!token.ok || answer.id_token === undefined)
    throw new Error(`token endpoint answered ${token.status}: ${JSON.stringify(answer)}`);
  return answer.id_token;
}
