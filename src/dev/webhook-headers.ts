// The PPS headers a sender attaches to a webhook, for the demo and the tests.
import { randomUUID } from 'node:crypto';

/** The headers of a well-formed PPS webhook carrying `token`; `undefined` in overrides removes one. */
export function webhookHeaders(
  token: string | undefined,
  overrides: Readonly<Record<string, string | undefined>> = {},
): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    authorization: token === undefined ? undefined : `Bearer ${token}`,
    'content-type': 'application/json',
    'x-pps-topic': 'orders/placed',
    'x-pps-tenant-id': 'OU1243',
    'x-pps-webhook-id': randomUUID(),
    // The PPS guide's own example value: one-digit day, seven fraction digits.
    'x-pps-triggered-at': '2024-01-1T10:00:00.7777748Z',
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
