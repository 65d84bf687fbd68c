// The process logger: structured JSON (pino), or human-readable lines (pino-pretty) when a person
// is watching a terminal. Tokens and secrets never reach it: callers log reason codes and details,
// and the redact list below is a second line of defence.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto` is pretty on a TTY and JSON otherwise, so log shippers always get JSON. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  '*.authorization',
  'token',
  '*.token',
  'claims',
  '*.claims',
];

export interface LoggerOptions {
  readonly format?: LogFormat;
  /** Defaults to stdout. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(
  level: LogLevel,
  options: LoggerOptions | NodeJS.WritableStream = {},
): Logger {
  const { format = 'auto', destination = process.stdout } =
    'write' in options ? { destination: options } : options;
  const isTty = (destination as Partial<NodeJS.WriteStream>).isTTY === true;
  const usePretty = format === 'pretty' || (format === 'auto' && isTty);
  const stream = usePretty
    ? pretty({
        destination,
        colorize: isTty,
        sync: true,
        translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,service',
      })
    : destination;
  return pino(
    {
      level,
      base: { service: 'pps-gate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
}

/** A logger that drops everything, for unit tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
