// Step 5b: the key cache's answer, in the pipeline's terms. Absent is the permanent unknown_key
// (403); unavailable is the retryable keys_unavailable (503) with the cache's retry time.
import type { KeyAnswer } from '../issuers/key-lookup.js';
import type { PublicKeyEntry } from '../issuers/parse-jwks.js';
import { deny, type Deny } from './decision.js';

export function keyDecision(answer: KeyAnswer): PublicKeyEntry | Deny {
  switch (answer.kind) {
    case 'key':
      return answer.key;
    case 'absent':
      return deny(
        'unknown_key',
        `kid ${JSON.stringify(answer.kid.slice(0, 64))} is not in the current key set`,
        { issuer: answer.issuer },
      );
    case 'unavailable':
      return deny('keys_unavailable', answer.why, {
        issuer: answer.issuer,
        retryAfterSeconds: answer.retryAfterSeconds,
      });
  }
}
