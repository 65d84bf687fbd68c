import { describe, expect, it } from 'vitest';
import { mergeHeaders } from '../../pipeline/webhook-request.js';
import { ENVOY_PATH_PREFIX, originalRequest, withoutHopHeaders } from './original-request.js';

const h = (record: Record<string, string>): Record<string, string> =>
  mergeHeaders(Object.entries(record).flat());

describe('originalRequest', () => {
  it('reads nginx auth_request X-Original-URI and X-Original-Method', () => {
    const headers = h({ 'X-Original-URI': '/webhooks/orders?x=1', 'X-Original-Method': 'POST' });
    expect(originalRequest('GET', '/_pps_gate_auth', headers)).toEqual({
      method: 'POST',
      path: '/webhooks/orders?x=1',
    });
  });

  it('reads the path out of ingress-nginx X-Original-URL, keeping it as sent (no dot-segment folding)', () => {
    const headers = h({
      'X-Original-URL': 'https://hooks.example.com:8443/webhooks/../orders?a=%2F',
      'X-Original-Method': 'put',
    });
    expect(originalRequest('GET', '/', headers)).toEqual({
      method: 'PUT',
      path: '/webhooks/../orders?a=%2F',
    });
  });

  it('takes "/" for an ingress-nginx URL without a path', () => {
    expect(
      originalRequest('GET', '/', h({ 'X-Original-URL': 'http://hooks.example.com' })).path,
    ).toBe('/');
  });

  it('falls back to X-Auth-Request-Redirect when X-Original-URL does not parse', () => {
    const headers = h({
      'X-Original-URL': 'not a url',
      'X-Auth-Request-Redirect': '/webhooks/orders',
    });
    expect(originalRequest('POST', '/', headers)).toEqual({
      method: 'POST',
      path: '/webhooks/orders',
    });
  });

  it('reads Traefik X-Forwarded-Uri and X-Forwarded-Method', () => {
    const headers = h({
      'X-Forwarded-Method': 'POST',
      'X-Forwarded-Uri': '/webhooks/orders',
      'X-Forwarded-Host': 'hooks.example.com',
    });
    expect(originalRequest('GET', '/', headers)).toEqual({
      method: 'POST',
      path: '/webhooks/orders',
    });
  });

  it('prefers the convention only one proxy sends: X-Original-URL over X-Forwarded-Uri over X-Original-URI', () => {
    const all = {
      'X-Original-URL': 'http://a/ingress',
      'X-Forwarded-Uri': '/traefik',
      'X-Original-URI': '/nginx',
    };
    expect(originalRequest('GET', '/', h(all)).path).toBe('/ingress');
    // An empty value counts as absent.
    expect(originalRequest('GET', '/', h({ ...all, 'X-Original-URL': '' })).path).toBe('/traefik');
    expect(
      originalRequest('GET', '/', h({ 'X-Forwarded-Uri': '/traefik', 'X-Original-URI': '/nginx' }))
        .path,
    ).toBe('/traefik');
  });

  it('strips the Envoy HTTP-mode path prefix and keeps the call method', () => {
    expect(originalRequest('POST', `${ENVOY_PATH_PREFIX}/webhooks/orders?x=1`, {})).toEqual({
      method: 'POST',
      path: '/webhooks/orders?x=1',
    });
    expect(originalRequest('POST', ENVOY_PATH_PREFIX, {}).path).toBe('/');
    expect(originalRequest('POST', `${ENVOY_PATH_PREFIX}?x=1`, {}).path).toBe('/?x=1');
  });

  it('does not strip a path that merely starts with the prefix letters', () => {
    expect(originalRequest('POST', `${ENVOY_PATH_PREFIX}-other/x`, {})).toEqual({
      method: 'POST',
      path: `${ENVOY_PATH_PREFIX}-other/x`,
    });
  });

  it('ignores a malformed convention value and uses the next one', () => {
    const headers = h({
      'X-Forwarded-Uri': 'webhooks/no-slash',
      'X-Original-URI': '/webhooks/orders',
      'X-Original-Method': 'PO ST',
    });
    expect(originalRequest('GET', '/auth', headers)).toEqual({
      method: 'GET',
      path: '/webhooks/orders',
    });
    expect(originalRequest('GET', '/auth', h({ 'X-Original-URI': '/a\tb' }))).toEqual({
      method: 'GET',
      path: '/auth',
    });
    // Both fall back to the call itself.
    expect(originalRequest('GET', '/auth', h({ 'X-Original-URI': '/a b' })).path).toBe('/auth');
    expect(originalRequest('GET', '/auth', h({ 'X-Original-URL': 'http://h/a\u0001' })).path).toBe(
      '/auth',
    );
  });

  it('uses the call itself when no convention is present', () => {
    expect(originalRequest('POST', '/webhooks/orders', h({ Host: 'gate' }))).toEqual({
      method: 'POST',
      path: '/webhooks/orders',
    });
  });
});

describe('withoutHopHeaders', () => {
  it('drops hop-by-hop, framing and proxy-credential headers but keeps the webhook ones', () => {
    const headers = h({
      Connection: 'keep-alive',
      'Keep-Alive': 'timeout=5',
      'Transfer-Encoding': 'chunked',
      'Content-Length': '0',
      'Proxy-Authorization': 'Basic cHJveHk6c2VjcmV0',
      Upgrade: 'h2c',
      Authorization: 'Bearer a.b.c',
      'X-Pps-Topic': 'orders/placed',
      'X-Forwarded-For': '203.0.113.7',
    });
    expect(withoutHopHeaders(headers)).toEqual({
      authorization: 'Bearer a.b.c',
      'x-pps-topic': 'orders/placed',
      'x-forwarded-for': '203.0.113.7',
    });
  });

  it('drops the headers the Connection header names, case-insensitively', () => {
    const headers = h({
      Connection: 'close, X-Hop-Secret ,x-other',
      'X-Hop-Secret': '1',
      'X-Other': '2',
      'X-Pps-Topic': 't',
    });
    expect(withoutHopHeaders(headers)).toEqual({ 'x-pps-topic': 't' });
  });

  it('keeps a comma-merged double Authorization merged, so it still fails as malformed', () => {
    const headers = mergeHeaders([
      'authorization',
      'Bearer a.b.c',
      'authorization',
      'Bearer d.e.f',
    ]);
    expect(withoutHopHeaders(headers).authorization).toBe('Bearer a.b.c, Bearer d.e.f');
  });
});
