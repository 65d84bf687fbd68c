import { describe, expect, it } from 'vitest';
import { deliveryConfirmation } from './access-log-entry.js';

const KEY = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const metadata = (key: string) => ({
  filter_metadata: {
    'envoy.filters.http.ext_authz': { fields: { delivery_key: { stringValue: key } } },
  },
});

describe('deliveryConfirmation', () => {
  it('reads the key from ext_authz dynamic metadata and the status from response_code', () => {
    expect(
      deliveryConfirmation({
        common_properties: { metadata: metadata(KEY) },
        request: { request_headers: { 'x-pps-delivery-key': OTHER } },
        response: { response_code: { value: 204 } },
      }),
    ).toEqual({ deliveryKey: KEY, httpStatus: 204 });
  });

  it('falls back to the logged x-pps-delivery-key request header', () => {
    expect(
      deliveryConfirmation({
        request: { request_headers: { 'x-pps-delivery-key': KEY } },
        response: { response_code: { value: 503 } },
      }),
    ).toEqual({ deliveryKey: KEY, httpStatus: 503 });
  });

  it('reports status 0 when Envoy logged no response code', () => {
    expect(deliveryConfirmation({ common_properties: { metadata: metadata(KEY) } })).toEqual({
      deliveryKey: KEY,
      httpStatus: 0,
    });
  });

  it('ignores entries ext_authz denied, whose headers are the client’s own', () => {
    expect(
      deliveryConfirmation({
        common_properties: { response_flags: { unauthorized_details: { reason: 1 } } },
        request: { request_headers: { 'x-pps-delivery-key': KEY } },
        response: { response_code: { value: 200 } },
      }),
    ).toBeUndefined();
  });

  it('ignores entries without a key, or with something that is not a delivery key', () => {
    expect(deliveryConfirmation({ response: { response_code: { value: 200 } } })).toBeUndefined();
    expect(
      deliveryConfirmation({
        request: { request_headers: { 'x-pps-delivery-key': 'not-a-key' } },
        response: { response_code: { value: 200 } },
      }),
    ).toBeUndefined();
  });
});
