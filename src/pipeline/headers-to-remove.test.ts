// Which client headers the proxy must strip from the upstream request.
import { describe, expect, it } from 'vitest';
import { headersToRemove, IDENTITY_HEADERS } from './headers-to-remove.js';

describe('headersToRemove', () => {
  const sent = {
    authorization: 'Bearer x.y.z',
    'x-pps-auth-foo': 'forged',
    'x-pps-auth-subject': 'forged',
    'x-pps-topic': 't',
  };

  it('strips the token and client-sent reserved headers pps-gate does not set', () => {
    const remove = headersToRemove(sent, false);
    expect(remove).toContain('authorization');
    expect(remove).toContain('x-pps-auth-foo');
    for (const name of IDENTITY_HEADERS) expect(remove).not.toContain(name);
    expect(remove).not.toContain('x-pps-topic');
  });

  it('strips every reserved name, delivery headers and underscore spellings included (Envoy over gRPC)', () => {
    const remove = headersToRemove(
      {
        'x-pps-delivery-attempt': 'forged',
        'x-pps-duplicate': 'forged',
        'x-pps-first-seen-at': 'forged',
        'x-pps-dedup': 'forged',
        x_pps_auth_role: 'forged',
        'x-pps-webhook-id': 'kept',
      },
      true,
    );
    expect(remove.sort()).toEqual([
      'x-pps-dedup',
      'x-pps-delivery-attempt',
      'x-pps-duplicate',
      'x-pps-first-seen-at',
      'x_pps_auth_role',
    ]);
  });

  it('keeps the token when the issuer forwards it', () => {
    expect(headersToRemove(sent, true)).toEqual(['x-pps-auth-foo']);
  });

  it('strips every reserved name a client sends, in its underscore spelling too', () => {
    const spoofed = {
      'x-pps-delivery-attempt': '1',
      'x-pps-duplicate': 'false',
      'x-pps-first-seen-at': 'now',
      'x-pps-dedup': 'off',
      x_pps_auth_subject: 'admin',
      'x_pps_auth-issuer': 'https://evil.example',
      x_pps_delivery_attempt: '1',
      x_pps_duplicate: 'false',
      x_pps_first_seen_at: 'now',
      x_pps_dedup: 'off',
    };
    const remove = headersToRemove({ ...spoofed, 'x-pps-topic': 't', x_pps_topic: 't' }, true);
    expect(remove.sort()).toEqual(Object.keys(spoofed).sort());
  });

  it('leaves alone names that only look alike', () => {
    for (const name of [
      'x-pps-authority',
      'x-pps-dedupe',
      'x-pps-duplicates',
      'xx-pps-auth-a',
      'pps-auth-x',
    ])
      expect(headersToRemove({ [name]: 'v' }, true), name).toEqual([]);
  });
});
