// One fetched key set as the cache holds it, and the two judgements made against it: whether it
// proves a kid absent, and which kids came or went since the previous one.
import type { Logger } from '../telemetry/logger.js';
import type { KeyFound, KeyQuery } from './key-lookup.js';
import type { KeyStoreEvents } from './key-store-events.js';
import type { ParsedJwks } from './parse-jwks.js';

export interface KeySet {
  /** Answers built once per fetch, so a cache hit allocates nothing. */
  readonly keys: ReadonlyMap<string, KeyFound>;
  /** Kids published more than once: they verify nothing (see parse-jwks). */
  readonly ambiguous: ReadonlySet<string>;
  /** When the fetch that produced this set began: the set reflects the issuer at least as of then. */
  readonly fetchStartedAtMs: number;
  readonly fetchedAtMs: number;
  readonly jwksUri: string;
}

export function toKeySet(
  parsed: ParsedJwks,
  jwksUri: string,
  fetchStartedAtMs: number,
  fetchedAtMs: number,
): KeySet {
  return {
    keys: new Map(
      [...parsed.keys].map(([kid, key]): [string, KeyFound] => [kid, { kind: 'key', key }]),
    ),
    ambiguous: parsed.ambiguous,
    fetchStartedAtMs,
    fetchedAtMs,
    jwksUri,
  };
}

/**
 * `next` with the previous answer kept wherever a refetch publishes the same key under the same
 * kid: key objects stay the same across refreshes, so what was verified with one (the
 * verified-token cache) stays good.
 */
export function keepSameKeys(
  next: KeySet,
  previous: ReadonlyMap<string, KeyFound> | undefined,
): KeySet {
  if (previous === undefined) return next;
  const keys = new Map<string, KeyFound>();
  for (const [kid, found] of next.keys) {
    const old = previous.get(kid);
    const same =
      old !== undefined && old.key.alg === found.key.alg && old.key.key.equals(found.key.key);
    keys.set(kid, same ? old : found);
  }
  return { ...next, keys };
}

/** A set proves a kid absent only if fetched after the request arrived or well after `iat`. */
export function provesAbsence(set: KeySet, query: KeyQuery): boolean {
  const { issuedAt, receivedAtMs, skewMs } = query;
  if (set.fetchStartedAtMs >= receivedAtMs) return true;
  return issuedAt !== undefined && set.fetchStartedAtMs > issuedAt * 1000 + 1000 + skewMs;
}

export function reportKeyChanges(
  before: ReadonlyMap<string, unknown> | undefined,
  after: ReadonlyMap<string, unknown>,
  to: { issuer: string; logger: Logger; events: KeyStoreEvents },
): void {
  const { issuer, logger, events } = to;
  const added = [...after.keys()].filter((kid) => !before?.has(kid));
  const removed = before === undefined ? [] : [...before.keys()].filter((kid) => !after.has(kid));
  if (added.length === 0 && removed.length === 0) return;
  if (before !== undefined) logger.info({ issuer, added, removed }, 'issuer key set changed');
  events.onKeysChanged(issuer, added, removed, before === undefined);
}
