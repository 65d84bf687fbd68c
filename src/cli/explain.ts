// `pps-gate explain`: "why did this webhook get a 403?". Loads a config exactly as `serve` does,
// fetches the issuer keys as `serve` does, runs one request through every step of the decision
// and prints each verdict, the final answer and its HTTP status. The token is never printed.
// Exit status: 0 allow, 1 deny, 2 bad usage or config.
import { ConfigError } from '../config/parse-config.js';
import { readConfigFile } from '../config/read-config-file.js';
import { KeyStore } from '../issuers/key-store.js';
import { createLogger } from '../telemetry/logger.js';
import { explainDecision, type Explanation } from './explain-decision.js';
import { ExplainUsageError, parseExplainInput } from './explain-request.js';

export const EXPLAIN_USAGE = `usage: pps-gate explain --config FILE (--token TOKEN | --token-file FILE | --request-file FILE)
                       [--header "Name: value"]... [--json]
  --config FILE        the trusted issuers config, read as serve reads it
  --token TOKEN        the bearer token (it lands in your shell history); or
  --token-file FILE    a file holding it ("-" reads stdin)
  --request-file FILE  the webhook's headers, one "Name: value" per line, Authorization
                       included (a curl -D dump works; "-" reads stdin)
  --header "N: V"      a webhook header, e.g. "X-Pps-Topic: orders/placed" (repeatable;
                       wins over --request-file)
  --json               print the explanation as JSON
Prints each step (framing, decode, issuer, claims, key, signature, webhook headers, policy)
with its verdict, then the answer and its HTTP status; keys are fetched as serve fetches them.
Never prints the token. Exit status: 0 allow, 1 deny, 2 bad usage or config.`;

export function formatExplanation(explanation: Explanation, heading: string): string {
  const width = Math.max(...explanation.steps.map((s) => s.step.length));
  const lines = [heading];
  explanation.steps.forEach((s, i) => {
    const mark = s.verdict === 'pass' ? 'pass' : s.verdict === 'fail' ? 'FAIL' : '-';
    lines.push(`  ${i + 1}. ${s.step.padEnd(width)}  ${mark.padEnd(4)}  ${s.detail}`.trimEnd());
  });
  const { reason, httpStatus, grpcCode, retryable } = explanation;
  lines.push(
    explanation.allowed
      ? 'answer: allow, HTTP 200 (gRPC OK 0)'
      : `answer: deny ${reason}, HTTP ${httpStatus} (gRPC code ${grpcCode}); ${
          retryable
            ? 'retryable: the sender should retry later'
            : 'permanent: a retry gets the same answer'
        }`,
  );
  return `${lines.join('\n')}\n`;
}

export async function explainCommand(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${EXPLAIN_USAGE}\n`);
    return 0;
  }
  // Taken before the key fetch, so a set fetched now proves an unknown kid absent (403), as a
  // running gate's refetch would.
  const receivedAtMs = Date.now();
  let input;
  let config;
  try {
    input = parseExplainInput(argv, receivedAtMs);
    config = readConfigFile(input.configPath).config;
  } catch (error) {
    if (error instanceof ExplainUsageError) {
      process.stderr.write(`pps-gate explain: ${error.message}\n${EXPLAIN_USAGE}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`pps-gate explain: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Key fetch warnings go to stderr as JSON lines; the explanation alone goes to stdout.
  const logger = createLogger('warn', { format: 'json', destination: process.stderr });
  const keys = new KeyStore({ logger });
  try {
    await Promise.all(keys.applyConfig(config));
    const explanation = await explainDecision(input.request, { config, keys, now: Date.now });
    const heading = `pps-gate explain: config ${input.configPath} (hash ${config.hash.slice(0, 12)})`;
    process.stdout.write(
      input.json
        ? `${JSON.stringify({ config: { path: input.configPath, hash: config.hash }, ...explanation }, null, 2)}\n`
        : formatExplanation(explanation, heading),
    );
    return explanation.allowed ? 0 : 1;
  } finally {
    keys.close();
  }
}
