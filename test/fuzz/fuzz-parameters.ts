// fast-check settings shared by every fuzz property: seeded (the same inputs on every CI run,
// so a failure reproduces), bounded in runs and time, and overridable from the environment to
// dig deeper locally:
//   PPS_GATE_FUZZ_SEED=123 PPS_GATE_FUZZ_RUNS=20000 npx vitest run test/fuzz
// A failure prints its seed and counterexample path; set both (PPS_GATE_FUZZ_PATH) to replay it.
import type { Parameters } from 'fast-check';

const DEFAULT_SEED = 20_261_130;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

/** Parameters for `fc.assert`: `runs` is the property's CI default, scaled by the environment. */
export function fuzzParameters<T>(runs: number): Parameters<T> {
  const path = process.env.PPS_GATE_FUZZ_PATH;
  return {
    seed: envInt('PPS_GATE_FUZZ_SEED', DEFAULT_SEED),
    numRuns: envInt('PPS_GATE_FUZZ_RUNS', runs),
    // A property that somehow gets slow must not hold CI hostage: it stops, and reports, early.
    interruptAfterTimeLimit: envInt('PPS_GATE_FUZZ_TIME_LIMIT_MS', 10_000),
    markInterruptAsFailure: false,
    ...(path === undefined || path === '' ? {} : { path }),
  };
}
