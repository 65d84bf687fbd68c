// One log line per decision: what was decided, why, for whom, how fast. Never the token; the
// private `detail` explains a deny to operators without reaching the sender.
import type { DecisionReport } from '../pipeline/run-check.js';
import type { Logger } from './logger.js';

export function logDecision(logger: Logger, { transport, request, decision, latencyMs }: DecisionReport): void {
  const headers = request.headers;
  const common = {
    requestId: request.id,
    transport,
    latencyMs: Math.round(latencyMs * 1000) / 1000,
    tenant: headers['x-pps-tenant-id'],
    topic: headers['x-pps-topic'],
    webhookId: headers['x-pps-webhook-id'],
  };
  if (decision.allowed) {
    if (!logger.isLevelEnabled('debug')) return;
    logger.debug({ ...common, decision: 'allow', issuer: decision.identity.issuer, subject: decision.identity.subject }, 'allow');
    return;
  }
  const level = decision.reason === 'internal' ? 'error' : decision.reason === 'keys_unavailable' ? 'warn' : 'info';
  logger[level]({ ...common, decision: 'deny', reason: decision.reason, issuer: decision.issuer, detail: decision.detail }, 'deny');
}
