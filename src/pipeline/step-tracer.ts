// What the pipeline asks of tracing, in its own terms (the OpenTelemetry implementation lives in
// telemetry/tracing.ts and fits this structurally). Absent when tracing is off: each call site
// then takes one branch and allocates nothing.

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

/** What a span learns from the work it wraps once that work is done. */
export type SpanOutcome<T> = (result: T) => SpanAttributes & { readonly error?: boolean };

export interface StepTracer {
  /** Runs `work` in the check's span, continuing the trace in `header(name)` (traceparent, b3). */
  inCheck<T>(
    header: (name: string) => string | undefined,
    attributes: SpanAttributes,
    work: () => T,
    outcome?: SpanOutcome<Awaited<T>>,
  ): T;
  /** Runs `work` in a child span of the active one. */
  inSpan<T>(
    name: string,
    attributes: SpanAttributes,
    work: () => T,
    outcome?: SpanOutcome<Awaited<T>>,
  ): T;
}
