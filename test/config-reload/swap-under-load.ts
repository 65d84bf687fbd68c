// Drives config swaps against a running gate while a steady stream of Check requests (valid tokens
// of an issuer that stays) flows, and measures swap-to-effect with a second issuer that is added
// and removed. Every check of the staying issuer must be allowed as that issuer.
import type { LocalIssuer } from '../../src/dev/local-issuer.js';
import type { CheckOutcome, EnvoyAuthClient } from '../support/envoy-client.js';

export interface SwapUnderLoadOptions {
  readonly client: EnvoyAuthClient;
  /** Its tokens flow all the time; it is in every valid config. */
  readonly stay: LocalIssuer;
  /** Added and removed by alternate valid swaps. */
  readonly flip: LocalIssuer;
  /** Makes `text` the config at the source (kubelet swap, or an API MODIFIED event). */
  readonly publish: (text: string) => void;
  /** How many reloads the gate has rejected so far (from its log). */
  readonly rejectedSoFar: () => number;
  readonly swaps: number;
  /** Every n-th swap is invalid. */
  readonly invalidEvery: number;
  readonly concurrency: number;
}

export interface SwapUnderLoadReport {
  readonly checks: number;
  /** Checks of the staying issuer that were not allowed as that issuer. */
  readonly wrong: string[];
  /** Checks of the flipping issuer that were neither the old nor the new decision. */
  readonly unexpectedFlips: string[];
  readonly validSwaps: number;
  readonly invalidSwaps: number;
  /** Per valid swap: ms from publishing to the first check that saw the new config. */
  readonly effectMs: number[];
  /** The same for swaps that removed the issuer: pure propagation, no key fetch or signature check. */
  readonly removeEffectMs: number[];
}

export function configText(stay: LocalIssuer, flip: LocalIssuer | undefined, note: number): string {
  const issuers = [stay, ...(flip === undefined ? [] : [flip])];
  return [
    `# edit ${note}`,
    'allowInsecureHttp: true',
    // An issuer a swap adds is prefetched; on a loaded box that can outlast the 150 ms default
    // wait budget, and its checks would be a (correct) retryable 503. These tests measure swaps,
    // so checks wait for the prefetch.
    'jwks: { requestWaitMs: 10000 }',
    'issuers:',
    ...issuers.flatMap((i) => [`  - issuer: ${i.issuer}`, `    audiences: [${i.audience}]`]),
    '',
  ].join('\n');
}

/** Four kinds of bad edit, in turn: bad YAML, unknown key, no issuers, http issuer without allowInsecureHttp. */
function invalidText(stay: LocalIssuer, n: number): string {
  const kinds = [
    'issuers: [\n  - issuer: oops\n',
    `${configText(stay, undefined, n)}cacheTtlSeconds: 5\n`,
    'allowInsecureHttp: true\nissuers: []\n',
    `issuers:\n  - issuer: ${stay.issuer}\n    audiences: [${stay.audience}]\n`,
  ];
  return kinds[n % kinds.length]!;
}

const describeOutcome = (o: CheckOutcome): string =>
  o.kind === 'allow'
    ? `allow(${o.issuer})`
    : o.kind === 'deny'
      ? `deny(${o.reason})`
      : `error(${o.message})`;

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function swapUnderLoad(options: SwapUnderLoadOptions): Promise<SwapUnderLoadReport> {
  const { client, stay, flip } = options;
  const stayToken = await stay.sign();
  const flipToken = await flip.sign();
  const wrong: string[] = [];
  const unexpectedFlips: string[] = [];
  const effectMs: number[] = [];
  const removeEffectMs: number[] = [];
  let checks = 0;
  let running = true;
  const load = Array.from({ length: options.concurrency }, async () => {
    while (running) {
      const outcome = await client.checkToken(stayToken);
      checks++;
      if (!(outcome.kind === 'allow' && outcome.issuer === stay.issuer))
        wrong.push(describeOutcome(outcome));
    }
  });

  const flipIs = (present: boolean, o: CheckOutcome): boolean =>
    present
      ? o.kind === 'allow' && o.issuer === flip.issuer
      : o.kind === 'deny' && o.reason === 'untrusted_issuer';
  let flipPresent = false;
  let validSwaps = 0;
  let invalidSwaps = 0;
  try {
    for (let n = 1; n <= options.swaps; n++) {
      if (n % options.invalidEvery === 0) {
        const rejected = options.rejectedSoFar();
        options.publish(invalidText(stay, invalidSwaps++));
        await waitFor(
          () => options.rejectedSoFar() > rejected,
          `swap ${n} (invalid) to be rejected`,
        );
        const after = await client.checkToken(flipToken);
        if (!flipIs(flipPresent, after))
          unexpectedFlips.push(`after invalid swap ${n}: ${describeOutcome(after)}`);
        continue;
      }
      const target: boolean = !flipPresent;
      const startedAt = performance.now();
      options.publish(configText(stay, target ? flip : undefined, n));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const outcome = await client.checkToken(flipToken);
        if (flipIs(target, outcome)) break;
        if (!flipIs(flipPresent, outcome))
          unexpectedFlips.push(`during swap ${n}: ${describeOutcome(outcome)}`);
        if (Date.now() > deadline) throw new Error(`swap ${n} never took effect`);
      }
      effectMs.push(performance.now() - startedAt);
      if (!target) removeEffectMs.push(performance.now() - startedAt);
      flipPresent = target;
      validSwaps++;
    }
  } finally {
    running = false;
    await Promise.all(load);
  }
  return { checks, wrong, unexpectedFlips, validSwaps, invalidSwaps, effectMs, removeEffectMs };
}

export function summarise(ms: readonly number[]): { median: number; p90: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number): number =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return { median: at(0.5), p90: at(0.9), max: at(1 - Number.EPSILON) };
}
