// An uncaught exception or unhandled rejection is a bug: log it through the process logger (so it
// reaches the log pipeline as JSON, with its stack) and exit non-zero instead of limping on with
// state nobody can vouch for. Kubernetes restarts the pod; the log says why.
import type { Logger } from '../telemetry/logger.js';

/** EX_SOFTWARE from sysexits.h: an internal software error. */
export const FATAL_EXIT_CODE = 70;

type Exit = (code: number) => void;

let active: { logger: Logger; exit: Exit } | undefined;

export type FatalKind = 'uncaughtException' | 'unhandledRejection' | 'commandFailed';

/** Where a fatal error goes: the logger, the exit (tests pass a fake) and the exit code. */
export interface FatalSink {
  readonly logger: Logger;
  readonly exit: Exit;
  readonly code?: number;
}

/** Logs the error at fatal and exits; exported for tests with a fake `exit`. */
export function reportFatal(sink: FatalSink, kind: FatalKind, error: unknown): void {
  const { logger, exit, code = FATAL_EXIT_CODE } = sink;
  try {
    // pino's err serializer writes type, message and stack; a thrown non-Error is wrapped.
    const err = error instanceof Error ? error : new Error(`non-Error thrown: ${String(error)}`);
    logger.fatal({ kind, err }, `${kind}: exiting`);
    logger.flush();
  } finally {
    exit(code);
  }
}

/**
 * Installs the handlers once; later calls only swap the logger (main installs a default one,
 * serve replaces it with the configured logger), so there is never a second handler racing.
 */
export function handleFatalErrors(logger: Logger, exit: Exit = (code) => process.exit(code)): void {
  const first = active === undefined;
  active = { logger, exit };
  if (!first) return;
  process.on('uncaughtException', (error) => reportFatal(active!, 'uncaughtException', error));
  process.on('unhandledRejection', (reason) => reportFatal(active!, 'unhandledRejection', reason));
}
