// A bounded GET for discovery documents and key sets: https only (unless allowed), no redirects,
// a timeout, a body size cap, and errors that say what went wrong without echoing the body.

export class KeyFetchError extends Error {
  override readonly name = 'KeyFetchError';
}

export interface FetchLimits {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly allowInsecureHttp: boolean;
}

async function readCapped(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes)
    throw new KeyFetchError(`${url}: body of ${declared} bytes exceeds ${maxBytes}`);
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new KeyFetchError(`${url}: body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

export async function fetchJson(url: string, limits: FetchLimits): Promise<unknown> {
  const protocol = url.slice(0, url.indexOf(':') + 1);
  if (protocol !== 'https:' && !(limits.allowInsecureHttp && protocol === 'http:')) {
    throw new KeyFetchError(`${url}: only https URLs are fetched (allowInsecureHttp is off)`);
  }
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'manual',
      signal,
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    const cause =
      (error as Error).name === 'TimeoutError'
        ? `timed out after ${limits.timeoutMs} ms`
        : describeCause(error);
    throw new KeyFetchError(`${url}: ${cause}`);
  }
  try {
    if (response.status !== 200) {
      const redirect =
        response.status >= 300 && response.status < 400 ? ' (redirects are refused)' : '';
      throw new KeyFetchError(`${url}: HTTP ${response.status}${redirect}`);
    }
    const text = await readCapped(response, limits.maxBytes, url);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new KeyFetchError(`${url}: response is not JSON`);
    }
  } catch (error) {
    if (error instanceof KeyFetchError) throw error;
    const cause =
      (error as Error).name === 'TimeoutError'
        ? `timed out after ${limits.timeoutMs} ms`
        : describeCause(error);
    throw new KeyFetchError(`${url}: ${cause}`);
  } finally {
    // Release the connection when we stopped reading early.
    if (response.body !== null && !response.bodyUsed)
      void response.body.cancel().catch(() => undefined);
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
