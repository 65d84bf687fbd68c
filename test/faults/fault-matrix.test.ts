// The fault matrix, end to end against the built server: for each way a discovery or JWKS
// endpoint can fail, with and without keys cached before the fault, the decision Envoy gets
// (allow on last-good keys / 503 + retry-after / 403), how many fetches it cost (single flight,
// backed off), and that no Check waited past jwks.requestWaitMs for a fetch to settle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalIssuer } from '../../src/dev/local-issuer.js';
import {
  CLOCK_SKEW_SECONDS,
  FAULTS,
  FETCH_TIMEOUT_MS,
  REQUEST_WAIT_MS,
  startFaultWorld,
  type Fault,
  type FaultWorld,
  type Verdict,
} from './fault-world.js';

// What a busy 2-core CI box adds on top of the wait budget (gRPC hop, signing, scheduling). A
// Check that waited for the fetch itself would take FETCH_TIMEOUT_MS (2.5 s): far beyond this.
const SLACK_MS = 600;
const BURST = 10;
// Old enough that a key set fetched now proves a kid absent (iat + 1 s + skew < fetch start).
const PROVABLE = { iatAgoSeconds: CLOCK_SKEW_SECONDS + 10 };

let world: FaultWorld;

beforeAll(async () => {
  world = await startFaultWorld();
}, 60_000);

afterAll(async () => {
  await world?.close();
});

function expectWithinBudget(verdicts: readonly Verdict[]): void {
  for (const v of verdicts)
    expect(v.ms, `answered in ${Math.round(v.ms)} ms`).toBeLessThan(REQUEST_WAIT_MS + SLACK_MS);
}

function expectOutcome(verdicts: readonly Verdict[], outcome: string): void {
  expect(verdicts.map((v) => v.outcome)).toEqual(verdicts.map(() => outcome));
  if (outcome === 'keys_unavailable')
    for (const v of verdicts) expect(v.retryAfter).toMatch(/^[1-9]\d*$/);
}

const burst = (issuer: LocalIssuer, options: Parameters<FaultWorld['check']>[1] = {}) =>
  Promise.all(Array.from({ length: BURST }, () => world.check(issuer, options)));

/** Waits (bounded) until pps-gate has finished `count` fetches for the issuer. */
async function settled(issuer: LocalIssuer, count: number): Promise<number> {
  const deadline = Date.now() + FETCH_TIMEOUT_MS + 3000;
  let attempts = await world.fetchAttempts(issuer);
  while (attempts < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    attempts = await world.fetchAttempts(issuer);
  }
  return attempts;
}

/** Cold: nothing was ever fetched, so nothing can verify until the issuer answers well. */
function coldOutcome(fault: Fault): string {
  if (fault.mode === 'empty-set') return 'unknown_key';
  return 'keys_unavailable';
}

describe('an issuer that is faulty before pps-gate ever fetched its keys', () => {
  for (const fault of FAULTS) {
    it(`${fault.name}: answers ${coldOutcome(fault)} within the wait budget, at most one fetch per burst`, async () => {
      const issuer = world.cold.get(fault.name)!;
      const before = await world.fetchAttempts(issuer);
      const verdicts = await burst(issuer, PROVABLE);
      expectWithinBudget(verdicts);
      expectOutcome(verdicts, coldOutcome(fault));
      // Start-up's prefetch may still be in flight (black hole, slow): the burst joins it.
      expect((await world.fetchAttempts(issuer)) - before).toBeLessThanOrEqual(1);
      if (fault.mode === 'redirect')
        expect(world.elsewhere.fetches).toEqual({ discovery: 0, jwks: 0 });
    });
  }

  it('allows once a slow fetch (under the timeout) has landed, although the first Checks were 503', async () => {
    const issuer = world.cold.get('slow, just under the fetch timeout')!;
    await settled(issuer, 1);
    const verdict = await world.check(issuer);
    expect(verdict.outcome).toBe('allow');
  }, 15_000);

  it('backs off: 15 Checks over 3 s against a refusing issuer cost at most 3 fetches', async () => {
    const issuer = world.cold.get('refusing connections')!;
    const before = await world.fetchAttempts(issuer);
    for (let i = 0; i < 15; i++) {
      const verdict = await world.check(issuer);
      expectWithinBudget([verdict]);
      expect(verdict.outcome).toBe('keys_unavailable');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect((await world.fetchAttempts(issuer)) - before).toBeLessThanOrEqual(3);
  }, 15_000);
});

/** Warm, once the refetch the fault answered has settled: what a Check with the cached kid gets. */
function warmCachedOutcome(fault: Fault): string {
  if (fault.mode === 'empty-set') return 'unknown_key'; // revoked by an authoritative answer
  if (fault.mode === 'duplicate-kids') return 'keys_unavailable'; // ambiguous: verifies nothing
  return 'allow'; // last-good keys serve through the outage
}

/** Warm: a kid the cache has never seen, right after the fault started. */
function warmUnknownOutcome(fault: Fault): string {
  // A well-formed set fetched after the Check arrived, lacking the kid, proves it absent.
  if (['empty-set', 'duplicate-kids', 'wrong-issuer'].includes(fault.mode)) return 'unknown_key';
  return 'keys_unavailable';
}

describe('an issuer that turns faulty after pps-gate cached its keys', () => {
  beforeAll(async () => {
    for (const issuer of world.warm.values()) await settled(issuer, 1);
    // Past the start-up prefetch's cooldown, so the next unknown kid may refetch at once.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }, 30_000);

  for (const fault of FAULTS) {
    it(`${fault.name}: an unknown kid is ${warmUnknownOutcome(fault)}, then 503 for a burst, one fetch in all; the cached kid is then ${warmCachedOutcome(fault)}`, async () => {
      const issuer = world.warm.get(fault.name)!;
      expect((await world.check(issuer)).outcome).toBe('allow');
      await world.applyFault(issuer, fault);
      const before = await world.fetchAttempts(issuer);

      // The first Check starts the refetch and is judged on it (the set, fetched after it
      // arrived, can prove its kid absent). The burst after it joins that fetch or meets the
      // cooldown; a set fetched before they arrived proves nothing about a fresh token: 503.
      const first = await world.check(issuer, { kid: `rotated-${fault.mode}` });
      expectWithinBudget([first]);
      expectOutcome([first], warmUnknownOutcome(fault));
      const unknown = await burst(issuer, { kid: `rotated-${fault.mode}` });
      expectWithinBudget(unknown);
      expectOutcome(unknown, 'keys_unavailable');

      // Single flight: the whole burst cost exactly one fetch, however long it took to fail.
      expect(await settled(issuer, before + 1)).toBe(before + 1);
      const cached = await Promise.all([
        world.check(issuer, PROVABLE),
        world.check(issuer, PROVABLE),
      ]);
      expectWithinBudget(cached);
      expectOutcome(cached, warmCachedOutcome(fault));
      if (fault.mode === 'redirect')
        expect(world.elsewhere.fetches).toEqual({ discovery: 0, jwks: 0 });
      // Still within the cooldown: the Checks after the failure started no fetch of their own.
      expect(await world.fetchAttempts(issuer)).toBe(before + 1);
    }, 20_000);
  }
});
