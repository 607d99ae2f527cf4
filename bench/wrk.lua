-- wrk script for scripts/bench: one request kind per run, set by the environment.
--   BENCH_COOKIE  the session cookie ("family=..."), sent on every request
--   BENCH_METHOD  GET (default) or POST
--   BENCH_BODY    a form body for POST (application/x-www-form-urlencoded)
--   BENCH_CSRF    the CSRF token, sent as htmx sends it (X-CSRFToken)
-- Each request comes through "one proxy" from its own address (X-Forwarded-For,
-- FAMILY_APP_TRUSTED_PROXIES=1), as many people behind the production proxy do:
-- the rate limiter runs and counts, but one loopback address would trip it.
-- done() prints one line "BENCH_JSON {...}" that bench/run.py reads.

local cookie = os.getenv("BENCH_COOKIE") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY") or ""
local csrf = os.getenv("BENCH_CSRF") or ""

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

function init(args)
  wrk.method = method
  if cookie ~= "" then
    wrk.headers["Cookie"] = cookie
  end
  if csrf ~= "" then
    wrk.headers["X-CSRFToken"] = csrf
    wrk.headers["HX-Request"] = "true"
  end
  if body ~= "" then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

local sent = 0

function request()
  sent = sent + 1
  wrk.headers["X-Forwarded-For"] = string.format(
    "10.%d.%d.%d", thread_id or 0, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format()
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
