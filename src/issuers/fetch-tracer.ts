// What the key caches ask of tracing (telemetry/tracing.ts fits it structurally): a span around
// each discovery + JWKS fetch, and a way to schedule background refreshes outside any request's
// trace, so a timer armed during a check does not parent tomorrow's refresh to it.

export interface FetchTracer {
  inSpan<T>(
    name: string,
    attributes: Readonly<Record<string, string | number | boolean>>,
    work: () => T,
  ): T;
  outsideTrace<T>(work: () => T): T;
}
