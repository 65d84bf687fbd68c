import { describe, expect, it } from 'vitest';
import { parseConfigMapRef } from './config-source-ref.js';

describe('parseConfigMapRef', () => {
  it('reads NAMESPACE/NAME with the data key', () => {
    expect(parseConfigMapRef('authz/pps-gate-issuers', 'issuers.yaml')).toEqual({
      namespace: 'authz',
      name: 'pps-gate-issuers',
      key: 'issuers.yaml',
    });
  });

  it.each([
    ['pps-gate-issuers', 'issuers.yaml', 'is not NAMESPACE/NAME'],
    ['a/b/c', 'issuers.yaml', 'is not NAMESPACE/NAME'],
    ['Authz/issuers', 'issuers.yaml', 'not a valid namespace'],
    ['authz/', 'issuers.yaml', 'not a valid ConfigMap name'],
    ['authz/issuers', 'dir/issuers.yaml', 'not a valid ConfigMap key'],
    ['authz/issuers', '..', 'not a valid ConfigMap key'],
  ])('rejects %s with key %s, saying why', (text, key, message) => {
    expect(parseConfigMapRef(text, key)).toContain(message);
  });
});
