// What every transport calls: authorize, turn a thrown error (a bug) into a retryable `internal`
// deny, and report the decision with its latency. Synchronous decisions stay synchronous.
import { REASONS } from '../errors/reasons.js';
import { authorize, type AuthorizeDeps } from './authorize.js';
import { deny, type Decision } from './decision.js';
import { refuseReservedHeaders } from './reserved-headers.js';
import type { SpanAttributes } from './step-tracer.js';
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

/** Attributes the check span ends with: never a token, claim or header value. */
function decisionAttributes(decision: Decision): SpanAttributes & { error: boolean } {
  return decision.allowed
    ? { 'pps_gate.decision': 'allow', 'pps_gate.issuer': decision.identity.issuer, error: false }
    : {
        'pps_gate.decision': 'deny',
        'pps_gate.reason': decision.reason,
        ...(decision.issuer === undefined ? {} : { 'pps_gate.issuer': decision.issuer }),
        // Retryable denies are our (or a dependency's) failure; permanent ones are answers.
        error: REASONS[decision.reason].retryable,
      };
}

export function runCheck(
  request: WebhookRequest,
  transport: Transport,
  deps: CheckDeps,
): Decision | Promise<Decision> {
  const { tracer } = deps;
  if (tracer === undefined) return checkNow(request, transport, deps);
  return tracer.inCheck(
    (name) => request.headers[name],
    { 'pps_gate.transport': transport },
    () => checkNow(request, transport, deps),
    decisionAttributes,
  );
}

function checkNow(
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
    // Over HTTP most proxies ignore headers-to-remove (only Envoy honours it), so a client copy
    // of a reserved header is refused before anything is judged; over gRPC, Envoy removes it.
    const refused = transport === 'http' ? refuseReservedHeaders(request.headers) : undefined;
    result = refused ?? authorize(request, deps);
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
