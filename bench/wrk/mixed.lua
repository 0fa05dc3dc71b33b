-- A mixed workload for wrk (bench/bench_mixed.py writes the data file and runs it).
--
-- Each wrk thread keeps ONE connection (run with -t N -c N), so every response answers the
-- request sent just before it: this script times each request itself (clock_gettime via
-- LuaJIT's FFI) and writes one line per request, "kind<TAB>seconds<TAB>status", to a file
-- of its own thread (OW_MIX_OUT/thread-<n>.tsv); bench_mixed.py reads them for the
-- latencies and statuses per kind, which wrk's own statistics cannot give (they are for
-- all requests together). A request without a response (the connection failed) is a line
-- with the status "socket". wrk's thread:get is not used to gather the figures: copying
-- tables between its Lua states crashed wrk 4.1 on long runs.
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
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

-- Per thread (each has its own Lua state).
local position, pending_accept, current, started, out
local calls = 0
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
  out = assert(io.open(os.getenv("OW_MIX_OUT") .. "/thread-" .. id .. ".tsv", "w"))
  out:setvbuf("line") -- every line on disk at once, whatever happens to wrk at the end
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

local function record(kind, seconds, code)
  out:write(kind, "\t", string.format("%.6f", seconds), "\t", tostring(code), "\n")
end

local function public_get(list)
  local headers = base_headers()
  headers["X-Forwarded-For"] = random_address()
  return wrk.format("GET", list[math.random(#list)], headers)
end

function request()
  calls = calls + 1
  -- wrk calls the first thread's request() once before the run to check the request
  -- (script_verify_request); that request is never sent.
  local verification = id == 1 and calls == 2
  if current ~= nil and not verification then
    -- The request sent last had no response (the connection failed): wrk sends again.
    record(current, now() - started, "socket")
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
  record(current, now() - started, code)
  if current == "submit" and code == 201 then
    pending_accept = string.match(body or "", '"number"%s*:%s*"([^"]+)"')
  end
  current = nil
end

function done(summary, overall, requests)
  io.write(string.format(
    'MIXRESULT {"duration": %.6f, "requests": %d, "non_2xx_3xx": %d, "socket_errors": '
    .. '{"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.duration / 1e6, summary.requests, summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
