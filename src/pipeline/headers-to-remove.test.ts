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

  it('strips underscore spellings and the dedup markers, but not a claim header pps-gate sets', () => {
    const remove = headersToRemove(
      {
        x_pps_auth_subject: 'forged',
        'x-pps-auth-email': 'forged',
        'x-pps-auth-phone': 'forged',
        'x-pps-duplicate': 'false',
        'x-pps-delivery-attempt': '1',
      },
      true,
      (name) => name === 'x-pps-auth-email',
    );
    expect(remove.toSorted()).toEqual([
      'x-pps-auth-phone',
      'x-pps-delivery-attempt',
      'x-pps-duplicate',
      'x_pps_auth_subject',
    ]);
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
    expect(remove.toSorted()).toEqual([
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
    expect(remove.toSorted()).toEqual(Object.keys(spoofed).sort());
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

describe('headersToRemove for the dedup headers', () => {
  const sent = {
    'x-pps-delivery-count': '1',
    'x-pps-delivery-key': 'forged',
    'x-pps-duplicate': 'false',
    'x-pps-first-seen-at': '2020-01-01T00:00:00Z',
    'x-pps-dedup': 'off',
    x_pps_auth_role: 'admin',
    x_pps_duplicate: 'false',
    'x-pps-topic': 'orders/placed',
    'x-pps-webhook-id': '0b7c6f43-6a55-4f0e-9a55-1b2c3d4e5f60',
  };

  it('strips every client copy of a reserved name, in dash and underscore spellings', () => {
    expect(headersToRemove(sent, true).toSorted()).toEqual(
      [
        'x-pps-dedup',
        'x-pps-delivery-count',
        'x-pps-delivery-key',
        'x-pps-duplicate',
        'x-pps-first-seen-at',
        'x_pps_auth_role',
        'x_pps_duplicate',
      ].sort(),
    );
  });

  it('leaves the names this allow sets itself to be overwritten, never removed', () => {
    const setHere = ['x-pps-delivery-count', 'x-pps-first-seen-at', 'x-pps-duplicate'];
    const remove = headersToRemove(sent, true, (name) => setHere.includes(name));
    expect(remove).not.toContain('x-pps-delivery-count');
    expect(remove).not.toContain('x-pps-duplicate');
    expect(remove).toContain('x-pps-delivery-key');
    expect(remove).toContain('x_pps_duplicate');
  });
});
