// `pps-gate explain`'s engine: the same steps, in the same order, as the pipeline's authorize(),
// run one at a time so each can be reported with its verdict. It calls the pipeline's own step
// functions (no second implementation to drift); a test holds its final answer equal to
// authorize()'s for every deny case. Never keeps or reports the token itself.
import type { GateConfig } from '../config/gate-config.js';
import { REASONS } from '../errors/reasons.js';
import type { KeyLookup } from '../issuers/key-lookup.js';
import { checkClaims } from '../pipeline/check-claims.js';
import { checkWebhookHeaders } from '../pipeline/check-webhook-headers.js';
import { decodeToken } from '../pipeline/decode-token.js';
import { isDeny, type Deny } from '../pipeline/decision.js';
import { extractToken } from '../pipeline/extract-token.js';
import { keyDecision } from '../pipeline/key-decision.js';
import { verifyToken } from '../pipeline/verify-token.js';
import type { WebhookRequest } from '../pipeline/webhook-request.js';

export type StepName =
  'framing' | 'decode' | 'issuer' | 'claims' | 'key' | 'signature' | 'webhook headers' | 'policy';

export const STEPS: readonly StepName[] = [
  'framing',
  'decode',
  'issuer',
  'claims',
  'key',
  'signature',
  'webhook headers',
  'policy',
];

export interface StepVerdict {
  readonly step: StepName;
  readonly verdict: 'pass' | 'fail' | 'skipped';
  readonly detail: string;
}

export interface Explanation {
  readonly steps: readonly StepVerdict[];
  readonly allowed: boolean;
  /** The deny reason, or undefined for an allow. */
  readonly reason: string | undefined;
  readonly httpStatus: number;
  readonly grpcCode: number;
  readonly retryable: boolean;
}

// Reasons checkClaims gives about the issuer itself rather than the claims.
const ISSUER_REASONS = new Set(['untrusted_issuer', 'disallowed_algorithm']);

export interface ExplainDeps {
  readonly config: GateConfig;
  readonly keys: KeyLookup;
  readonly now: () => number;
}

function seconds(deltaMs: number): string {
  const s = Math.round(deltaMs / 1000);
  return Math.abs(s) < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}

export async function explainDecision(
  request: WebhookRequest,
  deps: ExplainDeps,
): Promise<Explanation> {
  const steps: StepVerdict[] = [];
  const pass = (step: StepName, detail: string): void => {
    steps.push({ step, verdict: 'pass', detail });
  };
  const fail = (step: StepName, denied: Deny): Explanation => {
    steps.push({ step, verdict: 'fail', detail: `${denied.reason}: ${denied.detail}` });
    for (const later of STEPS.slice(STEPS.indexOf(step) + 1))
      steps.push({ step: later, verdict: 'skipped', detail: '' });
    const spec = REASONS[denied.reason];
    return {
      steps,
      allowed: false,
      reason: denied.reason,
      httpStatus: spec.httpStatus,
      grpcCode: spec.grpcCode,
      retryable: spec.retryable,
    };
  };
  const { config } = deps;

  const framed = extractToken(request.headers.authorization, config.maxTokenBytes);
  if (isDeny(framed)) return fail('framing', framed);
  pass(
    'framing',
    `one Bearer compact JWS, ${framed.token.length} bytes (limit ${config.maxTokenBytes})`,
  );

  const decoded = decodeToken(framed);
  if (isDeny(decoded)) return fail('decode', decoded);
  pass('decode', `alg ${decoded.alg}, kid ${JSON.stringify(decoded.kid)}`);

  const nowMs = deps.now();
  const checked = checkClaims(decoded, config, nowMs);
  if (isDeny(checked)) {
    if (ISSUER_REASONS.has(checked.reason)) return fail('issuer', checked);
    pass(
      'issuer',
      `${checked.issuer ?? String(decoded.claims.iss)} is trusted, alg ${decoded.alg} allowed`,
    );
    return fail('claims', checked);
  }
  const { policy } = checked;
  pass('issuer', `${policy.issuer} is trusted, alg ${decoded.alg} allowed`);
  const exp = decoded.claims.exp as number;
  pass(
    'claims',
    `aud ${JSON.stringify(checked.audience)} allowed, sub present, expires in ${seconds(exp * 1000 - nowMs)}`,
  );

  const answer = await deps.keys.resolve({
    issuer: policy.issuer,
    kid: decoded.kid,
    issuedAt: checked.issuedAt,
    receivedAtMs: request.receivedAtMs,
    skewMs: config.clockSkewSeconds * 1000,
  });
  const key = keyDecision(answer);
  if (isDeny(key)) return fail('key', key);
  pass(
    'key',
    `kid ${JSON.stringify(key.kid)} found${key.alg ? ` (published for ${key.alg})` : ''}`,
  );

  const rejected = await verifyToken(
    { request, config, framed, decoded, checked, now: deps.now },
    key,
  );
  if (rejected !== undefined) return fail('signature', rejected);
  pass('signature', `${decoded.alg} signature verifies with kid ${JSON.stringify(key.kid)}`);

  const webhook = checkWebhookHeaders(request);
  if (isDeny(webhook)) return fail('webhook headers', webhook);
  pass(
    'webhook headers',
    `topic ${webhook.topic}, tenant ${webhook.tenantId}, webhook id ${webhook.webhookId}, triggered at ${webhook.triggeredAt}`,
  );
  pass('policy', 'no per-issuer webhook policy applies');
  return {
    steps,
    allowed: true,
    reason: undefined,
    httpStatus: 200,
    grpcCode: 0,
    retryable: false,
  };
}
