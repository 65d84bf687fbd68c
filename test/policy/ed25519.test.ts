// Tokens signed with the fully-specified alg name Ed25519 (RFC 9864), as a certified OpenID
// provider (node-oidc-provider 9) signs them, through the real gRPC server (a client on Envoy's
// own protos, standing in for Envoy) and the HTTP forward-auth port; with the same key/alg fit
// checks as every other algorithm.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSigningKey,
  startLocalIssuer,
  type LocalIssuer,
  type SigningKey,
} from '../../src/dev/local-issuer.js';
import type { Gate } from '../../src/gate/start-gate.js';
import { startLoopbackGate } from '../../src/gate/start-loopback-gate.js';
import {
  createEnvoyAuthClient,
  headersCheckRequest,
  type EnvoyAuthClient,
} from '../support/envoy-client.js';
import { webhookHeaders } from '../support/webhook-fixtures.js';

let modern: LocalIssuer; // default algorithms (Ed25519 included)
let legacy: LocalIssuer; // algorithms: [EdDSA] only
let gate: Gate;
let envoy: EnvoyAuthClient;
let ed25519: SigningKey; // published with alg Ed25519
let ed25519NoAlg: SigningKey; // published without alg
let eddsaPinned: SigningKey; // an Ed25519 key published with alg EdDSA
let rsaNoAlg: SigningKey;
let legacyEd25519: SigningKey;

beforeAll(async () => {
  [modern, legacy] = await Promise.all([
    startLocalIssuer({ project: 'pps-ed-modern' }),
    startLocalIssuer({ project: 'pps-ed-legacy' }),
  ]);
  rsaNoAlg = await modern.rotate('RS256', false);
  eddsaPinned = await modern.rotate('EdDSA');
  ed25519NoAlg = await modern.rotate('Ed25519', false);
  ed25519 = await modern.rotate('Ed25519');
  legacyEd25519 = await legacy.rotate('Ed25519', false);
  gate = await startLoopbackGate(
    [
      { issuer: modern.issuer, audiences: [modern.audience] },
      { issuer: legacy.issuer, audiences: [legacy.audience], algorithms: ['EdDSA'] },
    ],
    'ed25519-test',
  );
  envoy = createEnvoyAuthClient(`127.0.0.1:${gate.grpcPort}`);
});

afterAll(async () => {
  envoy?.close();
  await gate?.close(0);
  await Promise.all([modern?.close(), legacy?.close()]);
});

async function bothAnswers(token: string): Promise<string[]> {
  const headers = webhookHeaders(token);
  const grpc = await envoy.check(headersCheckRequest(headers));
  const http = await fetch(`http://127.0.0.1:${gate.httpPort}/`, { method: 'POST', headers });
  const httpReason =
    http.status === 200 ? 'allow' : (JSON.parse(await http.text()) as { reason: string }).reason;
  return [grpc.status?.code === 0 ? 'allow' : (grpc.status?.message ?? '?'), httpReason];
}

/** A token with header alg `alg` naming `kid`, signed by `signer`'s private key. */
function signAs(
  issuer: LocalIssuer,
  alg: string,
  kid: string,
  signer: SigningKey,
): Promise<string> {
  const nowSec = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'pps-webhook-sender', iat: nowSec, exp: nowSec + 600 })
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(issuer.issuer)
    .setAudience(issuer.audience)
    .sign(signer.privateKey);
}

describe('Ed25519 (RFC 9864) tokens', () => {
  it('are allowed from a key published for Ed25519, by default', async () => {
    expect(await bothAnswers(await modern.sign({ key: ed25519 }))).toEqual(['allow', 'allow']);
  });

  it('are allowed from an Ed25519 key published without alg', async () => {
    const token = await signAs(modern, 'Ed25519', ed25519NoAlg.kid, ed25519NoAlg);
    expect(await bothAnswers(token)).toEqual(['allow', 'allow']);
  });

  it('are still signed the old way too: EdDSA from a key published for EdDSA', async () => {
    expect(await bothAnswers(await modern.sign({ key: eddsaPinned }))).toEqual(['allow', 'allow']);
  });

  it('are disallowed_algorithm from an issuer whose algorithms list only EdDSA', async () => {
    const token = await signAs(legacy, 'Ed25519', legacyEd25519.kid, legacyEd25519);
    expect(await bothAnswers(token)).toEqual(['disallowed_algorithm', 'disallowed_algorithm']);
  });

  it('are disallowed_algorithm against a key pinned to EdDSA (a JWK alg binds its key)', async () => {
    const token = await signAs(modern, 'Ed25519', eddsaPinned.kid, eddsaPinned);
    expect(await bothAnswers(token)).toEqual(['disallowed_algorithm', 'disallowed_algorithm']);
  });

  it('are invalid_signature when they name an RSA key, which cannot sign Ed25519', async () => {
    const token = await signAs(modern, 'Ed25519', rsaNoAlg.kid, ed25519);
    expect(await bothAnswers(token)).toEqual(['invalid_signature', 'invalid_signature']);
  });

  it('are invalid_signature when signed by a key the issuer never published', async () => {
    const stranger = await createSigningKey('Ed25519');
    const token = await signAs(modern, 'Ed25519', ed25519.kid, stranger);
    expect(await bothAnswers(token)).toEqual(['invalid_signature', 'invalid_signature']);
  });
});
