// Fuzzing the whole CheckRequest path (Envoy's request model -> pipeline -> CheckResponse) with
// random and mutated headers and tokens. Properties: it never throws past the pipeline (no
// `internal`), always answers with an explicit status, never allows a token that jose with strict
// options rejects (or whose JSON is not byte for byte what was verified), and every allow carries
// exactly pps-gate's own x-pps-auth-* values while every client copy of a reserved name goes.
import type { KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSnapshot } from '../../src/config/config-snapshot.js';
import { parseConfig } from '../../src/config/parse-config.js';
import type { KeyAnswer, KeyLookup } from '../../src/issuers/key-lookup.js';
import { parseJwks } from '../../src/issuers/parse-jwks.js';
import type { Decision } from '../../src/pipeline/decision.js';
import { isReservedHeader } from '../../src/pipeline/reserved-headers.js';
import { runCheck } from '../../src/pipeline/run-check.js';
import { toWebhookRequest } from '../../src/transport/grpc/check-request.js';
import { toCheckResponse } from '../../src/transport/grpc/check-response.js';
import { fuzzParameters } from './fuzz-parameters.js';
import { AUDIENCE, ISSUER, makeTokenPool, NOW_SEC, type TokenPool } from './token-pool.js';

const NOW_MS = NOW_SEC * 1000;
const SKEW = 60;
const config = parseConfig(
  JSON.stringify({ issuers: [{ issuer: ISSUER, audiences: [AUDIENCE] }], clockSkewSeconds: SKEW }),
  'fuzz.json',
);
let pool: TokenPool;
let keys: KeyLookup;
let keyByKid: Map<string, KeyObject>;

beforeAll(async () => {
  pool = await makeTokenPool();
  const parsed = parseJwks(pool.jwks, 'fuzz-jwks');
  keyByKid = new Map([...parsed.keys].map(([kid, entry]) => [kid, entry.key]));
  keys = {
    resolve(query): KeyAnswer {
      const key = parsed.keys.get(query.kid);
      if (key !== undefined) return { kind: 'key', key };
      return { kind: 'absent', issuer: query.issuer, kid: query.kid };
    },
  };
});

const deps = () => ({
  config: new ConfigSnapshot(config),
  keys,
  now: () => NOW_MS,
  observe: () => undefined,
});

const b64 = (text: string) => Buffer.from(text).toString('base64url');
/** One way to damage (or not) a token from the pool. */
const tokenMutation = fc.oneof(
  fc.constant((t: string) => t),
  fc.constant((t: string) => t),
  fc
    .record({ at: fc.nat(), c: fc.constantFrom('A', '-', '_', '.', ' ', '=', '+', '\t') })
    .map(({ at, c }) => (t: string) => {
      const i = at % t.length;
      return t.slice(0, i) + c + t.slice(i + 1);
    }),
  fc.constant((t: string) => t.split('.').slice(0, 2).join('.') + '.'),
  fc.constant((t: string) => {
    const [h, , s] = t.split('.');
    return `${h}.${b64(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'admin', iat: NOW_SEC, exp: NOW_SEC + 60 }))}.${s}`;
  }),
  fc.constant((t: string) => {
    const [, p, s] = t.split('.');
    return `${b64(JSON.stringify({ alg: 'none', kid: 'x' }))}.${p}.${s}`;
  }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((junk) => (t: string) => `${t}${junk}`),
);
const authorization = fc.oneof(
  fc
    .tuple(
      fc.nat(),
      tokenMutation,
      fc.constantFrom('Bearer ', 'bearer  ', 'BEARER ', 'Bearer\t', 'Basic ', ''),
      fc.constantFrom('', ' ', '\t', ' \t'),
    )
    .map(([i, mutate, scheme, ows]) => ({ pick: i, mutate, scheme, ows })),
  fc.string({ unit: 'binary', maxLength: 60 }).map((raw) => ({ raw })),
);
const headerName = fc.oneof(
  fc.constantFrom(
    'x-pps-auth-subject',
    'x-pps-auth-issuer',
    'x-pps-auth-claims',
    'x-pps-auth-role',
    'x_pps_auth_subject',
    'x_pps_auth_issuer',
    'x-pps-delivery-attempt',
    'x_pps_delivery_id',
    'x-pps-duplicate',
    'x_pps_first_seen_at',
    'x-pps-dedup',
    'x-forwarded-for',
    'authorization',
  ),
  fc.stringMatching(/^[a-z_-]{1,24}$/),
);
const webhookHeader = {
  'x-pps-topic': fc.constantFrom('orders/placed', 'a', '', '../../etc', 'x'.repeat(201)),
  'x-pps-tenant-id': fc.constantFrom('OU1243', '', 'OU 1', '-x'),
  'x-pps-webhook-id': fc.constantFrom(
    '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    '00000000-0000-0000-0000-000000000000',
    'nope',
  ),
  'x-pps-triggered-at': fc.constantFrom(
    '2024-01-1T10:00:00.7777748Z',
    'yesterday',
    '2024-02-30T00:00:00Z',
  ),
};
const extra = fc.array(fc.tuple(headerName, fc.string({ maxLength: 20 })), { maxLength: 6 });
interface Generated {
  readonly authorization:
    | { readonly raw: string }
    | { pick: number; mutate: (t: string) => string; scheme: string; ows: string };
  readonly webhook: Readonly<Record<string, string>>;
  readonly extra: readonly (readonly [string, string])[];
  readonly useHeaderMap: boolean;
}
/** Anything at all in the token and webhook headers. */
const anyRequest: fc.Arbitrary<Generated> = fc.record({
  authorization,
  webhook: fc.record(webhookHeader),
  extra,
  useHeaderMap: fc.boolean(),
});
/** Well-formed framing and webhook headers around any pool token: where allows happen. */
const plausibleRequest: fc.Arbitrary<Generated> = fc.record({
  authorization: fc
    .tuple(fc.nat(), fc.constantFrom('Bearer ', 'bearer '), fc.constantFrom('', ' ', '\t'))
    .map(([pick, scheme, ows]) => ({ pick, mutate: (t: string) => t, scheme, ows })),
  webhook: fc.constant({
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
  }),
  extra,
  useHeaderMap: fc.boolean(),
});
const checkRequest = fc.oneof(anyRequest, plausibleRequest);

function build(generated: Generated): { message: unknown; token: string | undefined } {
  const { authorization: auth } = generated;
  let value: string;
  let token: string | undefined;
  if ('raw' in auth) value = auth.raw;
  else {
    token = auth.mutate(pool.tokens[auth.pick % pool.tokens.length]!);
    value = `${auth.scheme}${token}${auth.ows}`;
  }
  const entries: (readonly [string, string])[] = [
    ['authorization', value],
    ...Object.entries(generated.webhook),
    ...generated.extra,
  ];
  const http = generated.useHeaderMap
    ? {
        header_map: {
          headers: entries.map(([key, v]) => ({ key, raw_value: Buffer.from(v, 'latin1') })),
        },
      }
    : { headers: Object.fromEntries(entries) };
  return {
    message: {
      attributes: { request: { http: { id: 'fuzz', method: 'POST', path: '/', ...http } } },
    },
    token,
  };
}

async function judge(generated: Generated): Promise<{
  decision: Decision;
  response: ReturnType<typeof toCheckResponse>;
  headers: Record<string, string>;
}> {
  const { message } = build(generated);
  const request = toWebhookRequest(message as never, NOW_MS);
  const decision = await runCheck(request, 'grpc', deps());
  return { decision, response: toCheckResponse(decision), headers: request.headers };
}

const strictJose = async (token: string): Promise<void> => {
  const kid = (
    JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }
  ).kid;
  const alg = (
    JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { alg: string }
  ).alg;
  await jwtVerify(token, keyByKid.get(kid)!, {
    issuer: ISSUER,
    audience: AUDIENCE,
    algorithms: [alg],
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: SKEW,
    currentDate: new Date(NOW_MS),
    maxTokenAge: 86_400 + SKEW,
  });
};

const exactUtf8Json = (segment: string): boolean => {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return false;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes));
    return true;
  } catch {
    return false;
  }
};

describe('the whole CheckRequest path under fuzzing', () => {
  it('never throws, and always answers with an explicit status and HTTP status', async () => {
    await fc.assert(
      fc.asyncProperty(checkRequest, async (generated) => {
        const { decision, response } = await judge(generated);
        expect(decision.allowed || decision.reason).not.toBe('internal');
        expect(typeof response.status.code).toBe('number');
        if (decision.allowed) expect(response.status.code).toBe(0);
        else {
          expect(response.status.code).not.toBe(0);
          expect(response.denied_response?.status.code).toBeGreaterThanOrEqual(400);
        }
      }),
      fuzzParameters(800),
    );
  });

  it('never allows a token that jose with strict options rejects, or whose JSON is not exactly UTF-8 JSON', async () => {
    let allows = 0;
    await fc.assert(
      fc.asyncProperty(checkRequest, async (generated) => {
        const { decision } = await judge(generated);
        if (!decision.allowed) return;
        allows++;
        const token = build(generated).token!;
        await expect(strictJose(token.trim())).resolves.toBeUndefined();
        const [header, payload] = token.trim().split('.');
        expect(exactUtf8Json(header!) && exactUtf8Json(payload!)).toBe(true);
      }),
      fuzzParameters(800),
    );
    // The generator must reach allows, or the property proves nothing.
    expect(allows).toBeGreaterThan(0);
  });

  it("carries exactly pps-gate's own x-pps-auth-* values on every allow, and removes every client copy of a reserved name", async () => {
    await fc.assert(
      fc.asyncProperty(checkRequest, async (generated) => {
        const { decision, response, headers } = await judge(generated);
        if (!decision.allowed) return;
        const token = build(generated).token!.trim();
        const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
          sub: string;
        };
        const set = Object.fromEntries(
          response.ok_response!.headers.map((h) => [h.header.key, h.header.value]),
        );
        expect(set).toEqual({
          'x-pps-auth-issuer': ISSUER,
          'x-pps-auth-subject': claims.sub,
          'x-pps-auth-audience': AUDIENCE,
          'x-pps-auth-claims': token.split('.')[1],
        });
        const removed = new Set(response.ok_response!.headers_to_remove);
        for (const name of Object.keys(headers)) {
          if (isReservedHeader(name) && !(name in set)) expect(removed, name).toContain(name);
        }
        expect(removed).toContain('authorization');
      }),
      fuzzParameters(800),
    );
  });
});
