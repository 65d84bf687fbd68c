import { describe, expect, it } from 'vitest';
import { checkTokenAge, checkWebhookAge, tokenAgeLimitMs } from './freshness.js';

const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

describe('checkTokenAge', () => {
  it('passes a token exactly maxTokenAgeSeconds plus skew old, and denies one a millisecond older', () => {
    const iat = NOW / 1000 - 3600 - 60;
    expect(checkTokenAge(iat, 3600, 60, NOW)).toBeUndefined();
    expect(checkTokenAge(iat, 3600, 60, NOW + 1)?.reason).toBe('token_too_old');
  });

  it('has an exact boundary without skew too', () => {
    const iat = NOW / 1000 - 300;
    expect(checkTokenAge(iat, 300, 0, NOW)).toBeUndefined();
    expect(checkTokenAge(iat, 300, 0, NOW + 1)?.reason).toBe('token_too_old');
  });

  it('denies a token without iat as invalid_claims', () => {
    expect(checkTokenAge(undefined, 3600, 60, NOW)?.reason).toBe('invalid_claims');
  });

  it('knows the last instant the token is young enough', () => {
    expect(tokenAgeLimitMs(NOW / 1000, 3600, 60)).toBe(NOW + 3_660_000);
  });
});

describe('checkWebhookAge', () => {
  it('passes a webhook triggered exactly the window plus skew ago, and denies one a millisecond older', () => {
    const triggeredAt = NOW - (259_200 + 60) * 1000;
    expect(checkWebhookAge(triggeredAt, 259_200, 60, NOW)).toBeUndefined();
    expect(checkWebhookAge(triggeredAt - 1, 259_200, 60, NOW)?.reason).toBe('webhook_too_old');
  });

  it('passes a webhook triggered in the future', () => {
    expect(checkWebhookAge(NOW + 3_600_000, 60, 0, NOW)).toBeUndefined();
  });
});
