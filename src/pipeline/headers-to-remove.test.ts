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

  it('keeps the token when the issuer forwards it', () => {
    expect(headersToRemove(sent, true)).toEqual(['x-pps-auth-foo']);
  });
});
