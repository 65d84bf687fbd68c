// Optional OpenTelemetry tracing. Off by default, and then nothing here is even loaded: the gate
// holds `undefined` instead of a GateTracer and the check path takes one branch. When on, the SDK
// is imported on demand, spans are batched to an OTLP/HTTP (JSON) endpoint, a check continues
// the trace its CheckRequest headers carry (W3C `traceparent`/`tracestate`, or Zipkin B3 single
// `b3` / multi `x-b3-*`), and key lookups, JWKS fetches and signature checks are child spans.
// Spans carry reason codes, issuers and transports only: never a token, a claim or a header value.
// (Type-only imports are erased: nothing of OpenTelemetry loads until startTracing runs.)
import type { Context, Span, SpanKind } from '@opentelemetry/api';
import type { FetchTracer } from '../issuers/fetch-tracer.js';
import type { SpanAttributes, SpanOutcome, StepTracer } from '../pipeline/step-tracer.js';

export type { SpanAttributes, SpanOutcome } from '../pipeline/step-tracer.js';

/** The gate's tracer: the pipeline's StepTracer, and (structurally) the key caches' FetchTracer. */
export type GateTracer = StepTracer &
  Pick<FetchTracer, 'outsideTrace'> & {
    /** Flushes pending spans and stops exporting. */
    shutdown(): Promise<void>;
  };

export interface TracingOptions {
  /** OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces */
  readonly endpoint: string;
  readonly serviceName?: string;
  readonly serviceVersion?: string;
  /** Fraction of new traces sampled (a parent's decision is always followed). Default 1. */
  readonly sampleRatio?: number;
  /** Export every span at once instead of batching (tests). */
  readonly exportImmediately?: boolean;
}

export async function startTracing(options: TracingOptions): Promise<GateTracer> {
  const [api, core, b3, hooks, otlp, resources, sdk] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/propagator-b3'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  const exporter = new otlp.OTLPTraceExporter({ url: options.endpoint });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': options.serviceName ?? 'pps-gate',
      ...(options.serviceVersion === undefined
        ? {}
        : { 'service.version': options.serviceVersion }),
    }),
    sampler: new sdk.ParentBasedSampler({
      root: new sdk.TraceIdRatioBasedSampler(options.sampleRatio ?? 1),
    }),
    spanProcessors: [
      options.exportImmediately
        ? new sdk.SimpleSpanProcessor(exporter)
        : new sdk.BatchSpanProcessor(exporter),
    ],
  });
  // Async context follows a check into the key cache's awaits (an on-demand JWKS fetch).
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  api.context.setGlobalContextManager(contextManager);
  const propagator = new core.CompositePropagator({
    propagators: [new core.W3CTraceContextPropagator(), new b3.B3Propagator()],
  });
  const tracer = provider.getTracer('pps-gate', options.serviceVersion);

  const finish = <T>(span: Span, result: T, outcome: SpanOutcome<Awaited<T>> | undefined): T => {
    const end = (value: Awaited<T>): void => {
      if (outcome !== undefined) {
        const { error, ...attributes } = outcome(value);
        span.setAttributes(attributes);
        if (error === true) span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      span.end();
    };
    const fail = (error: unknown): void => {
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: (error as Error)?.message });
      span.end();
    };
    if (result instanceof Promise) {
      // The caller gets the same promise; the span closes when it settles.
      result.then(end, fail);
      return result;
    }
    end(result as Awaited<T>);
    return result;
  };

  interface SpanStart {
    readonly name: string;
    readonly parent: Context;
    readonly kind: SpanKind;
    readonly attributes: SpanAttributes;
  }
  const run = <T>(
    { name, parent, kind, attributes }: SpanStart,
    work: () => T,
    outcome: SpanOutcome<Awaited<T>> | undefined,
  ): T =>
    tracer.startActiveSpan(name, { kind, attributes }, parent, (span) => {
      let result: T;
      try {
        result = work();
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
        throw error;
      }
      return finish(span, result, outcome);
    });

  const getter = {
    keys: () => [],
    get: (carrier: (name: string) => string | undefined, key: string) => carrier(key),
  };

  return {
    inCheck: (header, attributes, work, outcome) =>
      run(
        {
          name: 'pps-gate check',
          parent: propagator.extract(api.ROOT_CONTEXT, header, getter),
          kind: api.SpanKind.SERVER,
          attributes,
        },
        work,
        outcome,
      ),
    inSpan: (name, attributes, work, outcome) =>
      run(
        { name, parent: api.context.active(), kind: api.SpanKind.INTERNAL, attributes },
        work,
        outcome,
      ),
    outsideTrace: (work) => api.context.with(api.ROOT_CONTEXT, work),
    async shutdown() {
      await provider.shutdown();
      contextManager.disable();
      api.context.disable();
    },
  };
}
