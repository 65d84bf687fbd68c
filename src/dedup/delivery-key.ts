// The dedup key of one webhook delivery, scoped to the verified principal so one sender can never
// pre-register or confirm another's ids: sha256(iss | sub | tenant | lower(webhook-id)), hex.
// Only the hash is ever stored or sent; the raw values stay in the request.
import { hash } from 'node:crypto';

export interface DeliveryPrincipal {
  readonly issuer: string;
  readonly subject: string;
  readonly tenantId: string;
  readonly webhookId: string;
}

/** 64 lower-case hex digits: what a delivery key always looks like (checked on confirmation). */
export const DELIVERY_KEY_PATTERN = /^[0-9a-f]{64}$/;

// `%` and `|` are escaped inside each part, so the joined string is unambiguous even if an issuer
// or subject contains a `|` ("a|b" + "c" never collides with "a" + "b|c").
function part(value: string): string {
  return value.includes('|') || value.includes('%')
    ? value.replaceAll('%', '%25').replaceAll('|', '%7C')
    : value;
}

export function deliveryKey(principal: DeliveryPrincipal): string {
  const joined = `${part(principal.issuer)}|${part(principal.subject)}|${part(principal.tenantId)}|${part(principal.webhookId.toLowerCase())}`;
  // One-shot hash(): a third of createHash().update().digest()'s cost, on every delivery.
  return hash('sha256', joined, 'hex');
}
