// A port pps-gate cannot bind (in use, or not allowed): an operator's problem, not a bug, so it
// is reported as one line naming the address and the flag that set it, and serve exits 1.

export class ListenError extends Error {
  override readonly name = 'ListenError';

  constructor(
    readonly flag: string,
    readonly host: string,
    readonly port: number,
    cause: unknown,
  ) {
    super(`cannot listen on ${host}:${port} (${flag}): ${describeBindFailure(cause)}`);
  }
}

function describeBindFailure(cause: unknown): string {
  const message = (cause as Error)?.message ?? String(cause);
  const code = (cause as { code?: string })?.code;
  // grpc-js reports the cause only inside its message ("... errors: [listen EADDRINUSE: ...]").
  if (code === 'EADDRINUSE' || message.includes('EADDRINUSE')) return 'address already in use';
  if (code === 'EACCES' || message.includes('EACCES')) return 'permission denied';
  if (code === 'EADDRNOTAVAIL' || message.includes('EADDRNOTAVAIL'))
    return 'address not available on this host';
  return message;
}

/** Runs `start`, turning a bind failure into a ListenError naming `flag`. */
export async function listenFor<T>(
  flag: string,
  host: string,
  port: number,
  start: () => Promise<T>,
): Promise<T> {
  try {
    return await start();
  } catch (error) {
    throw new ListenError(flag, host, port, error);
  }
}
