// A sender's forged copies of headers reserved for pps-gate, in every spelling a proxy might
// let through, and a filter that shows which reserved headers a request really carried.
import { isReservedHeader } from '../../src/pipeline/reserved-headers.js';

/** Forged reserved headers: identity, delivery record, and underscore spellings. */
export const FORGED_RESERVED_HEADERS: Readonly<Record<string, string>> = {
  'X-Pps-Auth-Role': 'admin',
  'X-Pps-Auth-Subject': 'admin',
  'X-Pps-Delivery-Attempt': 'forged-1',
  'X-Pps-Duplicate': 'forged-false',
  'X-Pps-First-Seen-At': 'forged-2020-01-01T00:00:00Z',
  'X-Pps-Dedup': 'forged-first',
  X_Pps_Auth_Role: 'admin',
  X_Pps_Delivery_Id: 'forged-id',
};

/** The reserved headers among these (names lower-cased), values joined. */
export function reservedHeadersIn(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && isReservedHeader(lower))
      found[lower] = Array.isArray(value) ? value.join(', ') : value;
  }
  return found;
}
