-- wrk script for bench_web.py: each connection sends the session cookie of its thread, asks the
-- path template with {page}, {size}, {n} and {q} filled in per request (n never repeats; q from the "q="
-- arguments, name fragments), and the summary
-- prints one machine-readable line.
--   wrk -s session.lua URL -- PATH_TEMPLATE COOKIE [COOKIE ...] [q=FRAGMENT ...]
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  template = args[1]
  cookies = {}
  fragments = {}
  for i = 2, #args do
    if args[i]:sub(1, 2) == "q=" then fragments[#fragments + 1] = args[i]:sub(3)
    else cookies[#cookies + 1] = args[i] end
  end
  cookie = cookies[(id - 1) % #cookies + 1]
  n = 0
end

function request()
  n = n + 1
  local path = template
  path = path:gsub("{page}", tostring(n % 50 + 1))
  path = path:gsub("{size}", tostring(20 + n % 20))
  path = path:gsub("{n}", id .. "-" .. n)
  if #fragments > 0 then path = path:gsub("{q}", (fragments[n % #fragments + 1]:gsub("%%", "%%%%"))) end
  return wrk.format("GET", path, {Cookie = cookie})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d seconds=%.6f p50_us=%d p95_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95), e.status,
    e.connect + e.read + e.write + e.timeout))
end
