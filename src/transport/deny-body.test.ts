// The deny body shared by both transports.
import { describe, expect, it } from 'vitest';
import { REASONS } from '../errors/reasons.js';
import { deny } from '../pipeline/decision.js';
import { denyBody } from './deny-body.js';

describe('denyBody', () => {
  it('is JSON with the public message and reason, never the private detail', () => {
    const body = denyBody(deny('unknown_key', 'kid "secret-kid" is not in the current key set'));
    expect(JSON.parse(body)).toEqual({ error: REASONS.unknown_key.message, reason: 'unknown_key' });
    expect(body).not.toContain('secret-kid');
  });

  it('uses the public detail when there is one', () => {
    const body = denyBody(
      deny('invalid_webhook_headers', 'X-Pps-Topic is missing', {
        publicDetail: 'X-Pps-Topic is missing',
      }),
    );
    expect(JSON.parse(body)).toEqual({
      error: 'X-Pps-Topic is missing',
      reason: 'invalid_webhook_headers',
    });
  });
});
