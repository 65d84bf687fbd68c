// `pps-gate explain`'s input: the config path and one webhook request built from flags or a file
// (a token and "Name: value" header lines). Every bad input is a usage error that says what to fix.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mergeHeaders, type WebhookRequest } from '../pipeline/webhook-request.js';

export class ExplainUsageError extends Error {
  override readonly name = 'ExplainUsageError';
}

export interface ExplainInput {
  readonly configPath: string;
  readonly request: WebhookRequest;
  readonly json: boolean;
}

function readSource(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ExplainUsageError(`cannot read ${path}: ${code}`);
  }
}

// An HTTP status line (a curl -D dump) or request line, which a header dump may start with.
const START_LINE = /^(HTTP\/\S+\s|[A-Z]+\s+\S+\s+HTTP\/)/;

/** "Name: value" lines; blank lines, # comments and an HTTP start line are skipped. */
export function parseHeaderLines(text: string, origin: string): [string, string][] {
  const headers: [string, string][] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || START_LINE.test(line)) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ExplainUsageError(`${origin} line ${i + 1}: not "Name: value"`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return headers;
}

export function parseExplainInput(argv: readonly string[], receivedAtMs: number): ExplainInput {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'request-file': { type: 'string' },
        header: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new ExplainUsageError((error as Error).message);
  }
  if (values.config === undefined) throw new ExplainUsageError('--config FILE is required');
  if (values.token !== undefined && values['token-file'] !== undefined)
    throw new ExplainUsageError('give --token or --token-file, not both');
  const requestFile = values['request-file'];
  const headers = mergeHeaders(
    requestFile === undefined ? [] : parseHeaderLines(readSource(requestFile), requestFile).flat(),
  );
  // A --header wins over the request file's header of the same name.
  for (const [name, value] of parseHeaderLines((values.header ?? []).join('\n'), '--header'))
    headers[name.toLowerCase()] = value;
  const tokenFile = values['token-file'];
  const token =
    values.token ?? (tokenFile === undefined ? undefined : readSource(tokenFile).trim());
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (headers.authorization === undefined)
    throw new ExplainUsageError(
      'no token: give --token, --token-file, or an Authorization line in --request-file',
    );
  return {
    configPath: values.config,
    json: values.json ?? false,
    request: { id: 'explain', method: 'POST', path: '/', headers, receivedAtMs },
  };
}
