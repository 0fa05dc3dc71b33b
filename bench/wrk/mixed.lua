-- A mixed workload for wrk (bench/bench_mixed.py writes the data file and runs it).
--
-- Each wrk thread keeps ONE connection (run with -t N -c N), so every response answers the
-- request sent just before it: this script times each request itself (clock_gettime via
-- LuaJIT's FFI) and keeps latencies and statuses per request kind, which wrk's own
-- statistics cannot (they are for all requests together).
--
-- The kinds come in a fixed cycle (the mix, from the data file), each thread starting at
-- its own place in it. "submit" creates a case as an applicant; the thread's next request
-- is the "accept" of that case as a clerk. Public lookups ("track", "verify") carry a
-- random X-Forwarded-For, which the server trusts (ONEWINDOW_TRUSTED_PROXY_HEADER), so the
-- per-address limits see many clients, as they would behind the real proxy.
--
-- The data file (OW_MIX_DATA) is a Lua chunk returning a table: origin, mix, applicants,
-- clerks, supervisors (cookies, csrf, applicant id), item, catalog (paths), search (paths),
-- track (paths), verify (paths). The kind "reference" (a trivial signed-in page, the
-- clerk's password form) is the yardstick run alone.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } ow_timespec;
int clock_gettime(int clock_id, ow_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("ow_timespec")

local function now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
  return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) * 1e-9
end

local data = dofile(os.getenv("OW_MIX_DATA"))
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

-- Per thread (each has its own Lua state), one flat global per kind: latency_<kind> (a list
-- of seconds) and status_<kind> ({["201"] = n, ...}). wrk's thread:get copies flat tables
-- only (a table of tables crashes it, and so does an empty one here: seen_<kind> counts the
-- kind's outcomes, and the tables are fetched only when it is above 0).
local latency, status = {}, {}
local position, pending_accept, current, started
local applicant, clerk, supervisor

local function pick(list, index)
  return list[((index - 1) % #list) + 1]
end

function init(args)
  math.randomseed(id * 7919 + os.time())
  position = ((id - 1) * 7) % #data.mix + 1
  applicant = pick(data.applicants, id)
  clerk = pick(data.clerks, id)
  supervisor = pick(data.supervisors, id)
  for _, kind in ipairs(data.kinds) do
    latency[kind] = {}
    status[kind] = {}
    _G["latency_" .. kind] = latency[kind]
    _G["status_" .. kind] = status[kind]
    _G["seen_" .. kind] = 0
  end
end

local function random_address()
  return string.format("10.%d.%d.%d", math.random(0, 255), math.random(0, 255),
    math.random(1, 254))
end

local function random_key()
  local parts = {}
  for i = 1, 4 do
    parts[i] = string.format("%08x", math.random(0, 0x7fffffff))
  end
  return table.concat(parts)
end

local function base_headers()
  return { ["X-Forwarded-Proto"] = "https" }
end

local function signed_in(person, unsafe)
  local headers = base_headers()
  headers["Cookie"] = "sessionid=" .. person.sessionid .. "; csrftoken=" .. person.csrftoken
  if unsafe then
    headers["X-CSRFToken"] = person.csrftoken
    headers["Origin"] = data.origin
    headers["Referer"] = data.origin .. "/"
    headers["Content-Type"] = "application/json"
    headers["Accept"] = "application/json"
  end
  return headers
end

local function count(kind, code)
  local key = tostring(code)
  _G["seen_" .. kind] = _G["seen_" .. kind] + 1
  status[kind][key] = (status[kind][key] or 0) + 1
end

local function public_get(list)
  local headers = base_headers()
  headers["X-Forwarded-For"] = random_address()
  return wrk.format("GET", list[math.random(#list)], headers)
end

function request()
  if current ~= nil then
    -- The request sent last had no response (the connection failed): wrk sends again.
    count(current, "socket")
  end
  local kind
  if pending_accept ~= nil then
    kind = "accept"
  else
    kind = data.mix[position]
    position = position % #data.mix + 1
  end
  current = kind
  started = now()
  if kind == "catalog" then
    return wrk.format("GET", data.catalog[math.random(#data.catalog)], base_headers())
  elseif kind == "search" then
    return wrk.format("GET", data.search[math.random(#data.search)], base_headers())
  elseif kind == "track" then
    return public_get(data.track)
  elseif kind == "verify" then
    return public_get(data.verify)
  elseif kind == "inbox" then
    return wrk.format("GET", "/inbox/", signed_in(clerk, false))
  elseif kind == "reference" then
    return wrk.format("GET", "/account/password/", signed_in(clerk, false))
  elseif kind == "board" then
    return wrk.format("GET", "/board/", signed_in(supervisor, false))
  elseif kind == "submit" then
    local headers = signed_in(applicant, true)
    headers["Idempotency-Key"] = random_key()
    local body = string.format(
      '{"item": "%s", "applicant": %d, "form": {"contact": "张三", "phone": "13800000000"}}',
      data.item, applicant.applicant)
    return wrk.format("POST", "/api/v1/cases", headers, body)
  else -- accept
    local number = pending_accept
    pending_accept = nil
    return wrk.format("POST", "/api/v1/cases/" .. number .. "/actions/accept",
      signed_in(clerk, true), "{}")
  end
end

function response(code, headers, body)
  if current == nil then
    return
  end
  local list = latency[current]
  list[#list + 1] = now() - started
  count(current, code)
  if current == "submit" and code == 201 then
    pending_accept = string.match(body, '"number"%s*:%s*"([^"]+)"')
  end
  current = nil
end

local function encode(value)
  local kind = type(value)
  if kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do
        parts[#parts + 1] = encode(item)
      end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for key, item in pairs(value) do
      parts[#parts + 1] = string.format("%q:%s", tostring(key), encode(item))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "number" then
    return string.format("%.6f", value)
  end
  return string.format("%q", tostring(value))
end

function done(summary, overall, requests)
  local kinds = {}
  for _, kind in ipairs(data.kinds) do
    local merged = { latency = {}, status = {} }
    for _, thread in ipairs(threads) do
      if (thread:get("seen_" .. kind) or 0) > 0 then
        for _, seconds in ipairs(thread:get("latency_" .. kind) or {}) do
          merged.latency[#merged.latency + 1] = seconds
        end
        for code, n in pairs(thread:get("status_" .. kind)) do
          merged.status[code] = (merged.status[code] or 0) + n
        end
      end
    end
    if #merged.latency > 0 or next(merged.status) ~= nil then
      kinds[kind] = merged
    end
  end
  local result = { kinds = {} }
  for kind, figures in pairs(kinds) do
    local list = figures.latency
    table.sort(list)
    local function at(fraction)
      if #list == 0 then
        return 0
      end
      return list[math.max(1, math.min(#list, math.ceil(fraction * #list)))]
    end
    result.kinds[kind] = {
      n = #list,
      p50 = at(0.50), p95 = at(0.95), p99 = at(0.99), max = at(1.0),
      status = figures.status,
    }
  end
  result.duration = summary.duration / 1e6
  result.requests = summary.requests
  result.socket_errors = {
    connect = summary.errors.connect, read = summary.errors.read,
    write = summary.errors.write, timeout = summary.errors.timeout,
  }
  result.non_2xx_3xx = summary.errors.status
  io.write("MIXRESULT " .. encode(result) .. "\n")
end
