// One log line per decision: what was decided, why, for whom, how fast. Never the token; the
// private `detail` explains a deny to operators without reaching the sender. Allows can be
// sampled: at thousands of webhooks a second, every allow line costs more than it tells.
import type { DecisionReport } from '../pipeline/run-check.js';
import type { Logger, LogLevel } from './logger.js';
import { redactClaims } from './redact-claims.js';

export interface DecisionLogOptions {
  /** Level of allow lines and of token/header denies; keys_unavailable is warn, internal error. */
  readonly level?: Exclude<LogLevel, 'silent'>;
  /** Fraction of allows logged, 0..1 (denies are always logged). */
  readonly allowSampleRate?: number;
  /** Injected for tests; Math.random otherwise. */
  readonly random?: () => number;
}

export type DecisionLog = (report: DecisionReport) => void;

export function createDecisionLog(logger: Logger, options: DecisionLogOptions = {}): DecisionLog {
  const level = options.level ?? 'info';
  const allowSampleRate = options.allowSampleRate ?? 1;
  const random = options.random ?? Math.random;
  return (report) => {
    const { decision } = report;
    if (decision.allowed) {
      // The level check and the sampling draw come first: a skipped allow builds no object.
      if (!logger.isLevelEnabled(level) || allowSampleRate <= 0) return;
      if (allowSampleRate < 1 && random() >= allowSampleRate) return;
      const line: Record<string, unknown> = {
        ...common(report),
        decision: 'allow',
        issuer: decision.identity.issuer,
        subject: decision.identity.subject,
        audience: decision.identity.audience,
      };
      if (allowSampleRate < 1) line.sampleRate = allowSampleRate;
      // Full claims only when asked for at debug, and then with personal values masked.
      if (logger.isLevelEnabled('debug'))
        line.redactedClaims = redactClaims(decision.identity.claims);
      logger[level](line, 'allow');
      return;
    }
    const denyLevel =
      decision.reason === 'internal'
        ? 'error'
        : decision.reason === 'keys_unavailable'
          ? 'warn'
          : level;
    if (!logger.isLevelEnabled(denyLevel)) return;
    logger[denyLevel](
      {
        ...common(report),
        decision: 'deny',
        reason: decision.reason,
        issuer: decision.issuer,
        detail: decision.detail,
      },
      'deny',
    );
  };
}

// Header values are the sender's, unvalidated on a deny: bound what a line can carry.
const MAX_FIELD = 200;
function clip(value: string | undefined): string | undefined {
  return value === undefined || value.length <= MAX_FIELD ? value : `${value.slice(0, MAX_FIELD)}…`;
}

function common({ transport, request, latencyMs }: DecisionReport): Record<string, unknown> {
  const rounded = Math.round(latencyMs * 1000) / 1000;
  if (request === undefined) return { transport, latencyMs: rounded };
  const headers = request.headers;
  const queryAt = request.path.indexOf('?');
  return {
    requestId: clip(request.id),
    transport,
    method: clip(request.method),
    // The query string can carry secrets of its own (signed URLs): logged without it.
    path: clip(queryAt === -1 ? request.path : request.path.slice(0, queryAt)),
    latencyMs: rounded,
    tenant: clip(headers['x-pps-tenant-id']),
    topic: clip(headers['x-pps-topic']),
    webhookId: clip(headers['x-pps-webhook-id']),
  };
}
