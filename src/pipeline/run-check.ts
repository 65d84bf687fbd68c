// What every transport calls: authorize, turn a thrown error (a bug) into a retryable `internal`
// deny, and report the decision with its latency. Synchronous decisions stay synchronous.
import { authorize, type AuthorizeDeps } from './authorize.js';
import { deny, type Decision } from './decision.js';
import type { WebhookRequest } from './webhook-request.js';

export type Transport = 'grpc' | 'http';

export interface DecisionReport {
  readonly transport: Transport;
  /** Undefined when the transport could not even read the request (see reportUnreadable). */
  readonly request: WebhookRequest | undefined;
  readonly decision: Decision;
  readonly latencyMs: number;
}

export type DecisionObserver = (report: DecisionReport) => void;

export interface CheckDeps extends AuthorizeDeps {
  readonly observe: DecisionObserver;
  /** Called once as a check arrives; `observe` closes it (in-flight metrics, drain visibility). */
  readonly onReceived?: (transport: Transport) => void;
}

function internal(error: unknown): Decision {
  return deny('internal', `unexpected error: ${(error as Error)?.message ?? String(error)}`, {
    retryAfterSeconds: 1,
  });
}

export function runCheck(
  request: WebhookRequest,
  transport: Transport,
  deps: CheckDeps,
): Decision | Promise<Decision> {
  const startedAt = performance.now();
  deps.onReceived?.(transport);
  const report = (decision: Decision): Decision => {
    deps.observe({ transport, request, decision, latencyMs: performance.now() - startedAt });
    return decision;
  };
  let result: Decision | Promise<Decision>;
  try {
    result = authorize(request, deps);
  } catch (error) {
    return report(internal(error));
  }
  return result instanceof Promise
    ? result.then(report, (error: unknown) => report(internal(error)))
    : report(result);
}

/** A request the transport could not read: denied `internal`, and reported (logs, metrics) like
 * every other decision. */
export function reportUnreadable(transport: Transport, detail: string, deps: CheckDeps): Decision {
  deps.onReceived?.(transport);
  const decision = deny('internal', detail);
  deps.observe({ transport, request: undefined, decision, latencyMs: 0 });
  return decision;
}
