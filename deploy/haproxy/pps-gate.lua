-- pps-gate for HAProxy 2.6+: the `lua.pps_gate_check` http-request action asks pps-gate's HTTP
-- forward-auth port about the request with HAProxy's own core.httpclient (no Lua library
-- needed), then lets it continue with the verified identity, or answers the sender with
-- pps-gate's own status, headers and JSON body. See README.md and haproxy.cfg.
--
--   global
--       lua-load /etc/haproxy/pps-gate.lua
--   frontend webhooks
--       http-request lua.pps_gate_check http://127.0.0.1:9292/haproxy

-- Copied from pps-gate's allow onto the request: the verified identity, then the dedup marks
-- (annotate mode; present only when dedup ran). Claim headers (claimHeaders) go here too if you
-- configure them.
local IDENTITY_HEADERS = {
  "x-pps-auth-issuer", "x-pps-auth-subject", "x-pps-auth-audience", "x-pps-auth-claims",
  "x-pps-delivery-count", "x-pps-first-seen-at", "x-pps-duplicate", "x-pps-dedup",
}

-- Copied from pps-gate's deny to the sender (its body is JSON).
local DENY_HEADERS = { "content-type", "retry-after", "x-pps-gate-reason" }

-- Not sent to pps-gate: hop-by-hop and framing (the auth call is a GET without a body), and
-- other proxies' "original request" conventions, which pps-gate would log instead of ours.
local NOT_FORWARDED = {
  ["connection"] = true, ["keep-alive"] = true, ["te"] = true, ["trailer"] = true,
  ["transfer-encoding"] = true, ["upgrade"] = true, ["proxy-authorization"] = true,
  ["content-length"] = true, ["expect"] = true,
  ["x-original-url"] = true, ["x-original-uri"] = true, ["x-original-method"] = true,
  ["x-forwarded-uri"] = true, ["x-forwarded-method"] = true,
}

-- Names reserved for pps-gate's identity and delivery headers, in both spellings: upstreams
-- trust every header under them, so a sender's copies are deleted before anything else.
local function is_reserved(name)
  local dashed = string.gsub(name, "_", "-")
  return string.sub(dashed, 1, 11) == "x-pps-auth-"
    or string.sub(dashed, 1, 15) == "x-pps-delivery-"
    or dashed == "x-pps-duplicate" or dashed == "x-pps-first-seen-at" or dashed == "x-pps-dedup"
end

local UNREACHABLE_BODY =
  '{"error":"the webhook authorization service did not answer; retry later","reason":"gate_unreachable"}'

-- pps-gate down, refused or timed out: fail closed, but retryable (as Envoy's status_on_error
-- 503 and the nginx config do), so the sender retries and nothing is lost.
local function reply_unreachable(txn)
  txn:done(txn:reply({
    status = 503,
    headers = { ["content-type"] = { "application/json" }, ["retry-after"] = { "5" } },
    body = UNREACHABLE_BODY,
  }))
end

local function check(txn, gate_url)
  local request_headers = txn.http:req_get_headers()
  for name in pairs(request_headers) do
    if is_reserved(string.lower(name)) then txn.http:req_del_header(name) end
  end

  local auth_headers = {}
  for name, values in pairs(request_headers) do
    local lower = string.lower(name)
    if not NOT_FORWARDED[lower] and not is_reserved(lower) then
      local list = {}
      for i = 0, #values do
        if values[i] ~= nil then list[#list + 1] = values[i] end
      end
      auth_headers[lower] = list
    end
  end
  -- Traefik's names for the original request, which pps-gate logs.
  auth_headers["x-forwarded-method"] = { txn.sf:method() }
  auth_headers["x-forwarded-uri"] = { txn.sf:url() }

  local client = core.httpclient()
  -- 6 s covers a cold key fetch (pps-gate's fetchTimeoutMs defaults to 5 s).
  local answer = client:get({ url = gate_url, headers = auth_headers, timeout = 6000 })

  if answer == nil or answer.status == nil or answer.status == 0 then
    return reply_unreachable(txn)
  end
  local answer_headers = answer.headers or {}
  if answer.status >= 200 and answer.status < 300 then
    for _, name in ipairs(IDENTITY_HEADERS) do
      local values = answer_headers[name]
      if values ~= nil and values[0] ~= nil then txn.http:req_set_header(name, values[0]) end
    end
    return
  end
  -- HAProxy's httpclient answers its own 503 page when it cannot connect; only pps-gate's
  -- answers carry x-pps-gate-reason.
  if answer_headers["x-pps-gate-reason"] == nil then return reply_unreachable(txn) end
  local deny_headers = {}
  for _, name in ipairs(DENY_HEADERS) do
    local values = answer_headers[name]
    if values ~= nil and values[0] ~= nil then deny_headers[name] = { values[0] } end
  end
  txn:done(txn:reply({ status = answer.status, headers = deny_headers, body = answer.body or "" }))
end

core.register_action("pps_gate_check", { "http-req" }, check, 1)
