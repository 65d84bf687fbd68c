// The request header names reserved for pps-gate: a client's copy must never reach upstream,
// whatever the proxy. The one list every feature extends (identity and claim headers under
// x-pps-auth-, delivery and duplicate markers from dedup). Underscore spellings count too:
// nginx, Caddy and many frameworks treat `x_pps_auth_role` as `x-pps-auth-role` (CGI-style
// environments cannot tell them apart), so both are reserved.

export const RESERVED_PREFIXES = ['x-pps-auth-', 'x-pps-delivery-'] as const;
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'x-pps-duplicate',
  'x-pps-first-seen-at',
  'x-pps-dedup',
]);

/** Whether a lower-case header name is reserved (in its dash or underscore spelling). */
export function isReservedHeader(name: string): boolean {
  // Cheap exit for the many headers that are not ours.
  if (name.length < 11 || !(name.startsWith('x-pps') || name.startsWith('x_pps'))) return false;
  const dashed = name.includes('_') ? name.replaceAll('_', '-') : name;
  for (const prefix of RESERVED_PREFIXES) if (dashed.startsWith(prefix)) return true;
  return RESERVED_NAMES.has(dashed);
}
