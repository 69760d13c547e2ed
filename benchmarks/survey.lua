-- wrk script for benchmarks/survey: each request is one customer's one click on a survey link, never the same link
-- twice (links are single use). Thread n of N takes every N-th link of the file.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  local n = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if n % tonumber(os.getenv("BENCH_THREADS")) == id then table.insert(paths, line) end
    n = n + 1
  end
end

request = function()
  local path = paths[counter]
  counter = counter + 1
  if path == nil then path = "/survey/exhausted/" end
  return wrk.format("GET", path)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.0f %.0f %.0f\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
