// The transport-neutral request the pipeline judges: what Envoy's CheckRequest or an HTTP
// forward-auth call becomes once nothing gRPC- or HTTP-specific is left.

export interface WebhookRequest {
  /** Request id for logs (Envoy's x-request-id), when the transport has one. */
  readonly id: string | undefined;
  readonly method: string;
  readonly path: string;
  /**
   * Lower-cased header names. Repeated headers are comma-merged (", "), as Envoy does for
   * CheckRequest `headers`; a merged Authorization therefore never parses as one token.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch milliseconds at which the transport received the request. */
  readonly receivedAtMs: number;
}

/**
 * Builds a header record from a flat [name, value, name, value, ...] list (Node's rawHeaders
 * shape), lower-casing names and merging repeats.
 */
export function mergeHeaders(flat: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    // toLowerCase returns the same string when it is lower case already: no copy then.
    const name = flat[i]!.toLowerCase();
    const value = flat[i + 1]!;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}, ${value}`;
  }
  return headers;
}
