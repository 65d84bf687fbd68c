// The dedup headers an answer carries (README "Duplicate deliveries"), decided once here so the
// pipeline knows which reserved names an allow sets (headers-to-remove.ts) and every transport
// writes the same ones.
import type { DeliveryInfo } from '../dedup/check-delivery.js';

export function deliveryHeaders(delivery: DeliveryInfo | 'unavailable'): [string, string][] {
  if (delivery === 'unavailable') return [['x-pps-dedup', 'unavailable']];
  const headers: [string, string][] = [
    ['x-pps-delivery-count', String(delivery.count)],
    ['x-pps-first-seen-at', delivery.firstSeenAt],
  ];
  if (delivery.duplicate) headers.push(['x-pps-duplicate', 'true']);
  if (delivery.deliveryKey !== undefined)
    headers.push(['x-pps-delivery-key', delivery.deliveryKey]);
  return headers;
}
