// The Redis store's state changes as small Lua scripts: Redis runs each one atomically, so two
// replicas (or two concurrent checks) can never both take the same lease. They implement the
// transitions of delivery-state.ts on a record kept as one string value:
//   "<state>,<count>,<firstSeenAtMs>,<leaseEndsAtMs>,<expiresAtMs>"   state: s|i|d|f
// Times come from the caller's clock (so tests can inject it); the key's PX is only garbage
// collection, set to the record's own expiry.

export const RECORD_PATTERN_LUA = "'^(%a),(%d+),(%d+),(%d+),(%d+)$'";

const READ_RECORD = `
local now = tonumber(ARGV[1])
local state, count, first, lease, expires
local raw = redis.call('GET', KEYS[1])
if raw then
  state, count, first, lease, expires = string.match(raw, ${RECORD_PATTERN_LUA})
end
if state then
  count = tonumber(count); first = tonumber(first); lease = tonumber(lease); expires = tonumber(expires)
  if expires <= now then state = nil end
end
local function save()
  redis.call('SET', KEYS[1], string.format('%s,%d,%d,%d,%d', state, count, first, lease, expires),
    'PX', math.max(1, expires - now))
end
`;

/**
 * KEYS[1] = record key; ARGV = nowMs, leaseMs, windowMs, mode ('claim' | 'record').
 * Returns {outcome, count, firstSeenAtMs, leaseEndsAtMs} (numbers as strings).
 */
export const CLAIM_SCRIPT = `${READ_RECORD}
local leaseMs = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local claiming = ARGV[4] == 'claim'
local outcome
if not state then
  count = 1; first = now
  if claiming then
    state = 'i'; lease = now + leaseMs; expires = now + math.max(windowMs, leaseMs)
  else
    state = 's'; lease = 0; expires = now + windowMs
  end
  outcome = 'first'
else
  count = count + 1
  if not claiming or state == 'd' then
    outcome = 'duplicate'
  elseif state == 'i' and lease > now then
    outcome = 'in_progress'
  else
    state = 'i'; lease = now + leaseMs; expires = math.max(expires, lease)
    outcome = 'redelivered_after_failure'
  end
end
save()
return {outcome, tostring(count), string.format('%d', first), string.format('%d', lease)}
`;

/** KEYS[1] = record key; ARGV = nowMs, httpStatus. Returns 'delivered' | 'failed' | 'ignored'. */
export const CONFIRM_SCRIPT = `${READ_RECORD}
local status = tonumber(ARGV[2])
if not state then return 'ignored' end
if status >= 200 and status <= 299 then
  if state == 'd' then return 'ignored' end
  state = 'd'
  save()
  return 'delivered'
end
if state ~= 'i' then return 'ignored' end
state = 'f'; lease = 0
save()
return 'failed'
`;

/**
 * The record a first delivery writes with SET NX PX, and its lifetime: the common case needs
 * no script. Mirrors the script's `not state` branch.
 */
export function firstRecord(
  claiming: boolean,
  nowMs: number,
  leaseMs: number,
  windowMs: number,
): { value: string; ttlMs: number } {
  const ttlMs = claiming ? Math.max(windowMs, leaseMs) : windowMs;
  const value = claiming
    ? `i,1,${nowMs},${nowMs + leaseMs},${nowMs + ttlMs}`
    : `s,1,${nowMs},0,${nowMs + ttlMs}`;
  return { value, ttlMs };
}
