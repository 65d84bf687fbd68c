// Bounds how long a request waits on a key fetch. Envoy gives ext_authz 200 ms by default; a fetch
// may take its whole timeout (seconds). Past the budget the request gets the fallback answer at
// once (a retryable 503) while the fetch carries on for the requests after it.

/**
 * `pending`'s value if it settles within `budgetMs`, else `fallback()`. The timer exists only
 * while a request actually waits (the slow path), never for cached keys.
 */
export function waitWithin<T>(
  pending: Promise<T>,
  budgetMs: number,
  fallback: () => T,
): Promise<T> {
  if (budgetMs <= 0) return Promise.resolve(fallback());
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), budgetMs);
  });
  return Promise.race([pending.finally(() => clearTimeout(timer)), late]);
}
