// The key cache's answers, in the pipeline's reasons.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyDecision } from './key-decision.js';

const issuer = 'https://issuer.example/p';

describe('keyDecision', () => {
  it('hands on a found key', () => {
    const key = { kid: 'k1', alg: 'RS256', key: generateKeyPairSync('ed25519').publicKey };
    expect(keyDecision({ kind: 'key', key })).toBe(key);
  });

  it('turns a proven absence into a permanent unknown_key for the issuer', () => {
    expect(keyDecision({ kind: 'absent', issuer, kid: 'gone' })).toMatchObject({
      allowed: false,
      reason: 'unknown_key',
      issuer,
    });
  });

  it('turns unavailability into a retryable keys_unavailable carrying the retry time and why', () => {
    expect(
      keyDecision({
        kind: 'unavailable',
        issuer,
        why: 'no key set fetched yet',
        retryAfterSeconds: 7,
      }),
    ).toEqual({
      allowed: false,
      reason: 'keys_unavailable',
      detail: 'no key set fetched yet',
      issuer,
      retryAfterSeconds: 7,
    });
  });
});
