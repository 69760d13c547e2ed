-- wrk script for benchmarks/intake: one new complaint per request, in the seed languages.
local key = os.getenv("BENCH_KEY")
local stories = {
  {"ru", "Прислали кроссовки не того размера, а они нужны мне к субботе."},
  {"bg", "Поръчката ми не е пристигнала вече десет дни."},
  {"sr", "Наручио сам патике број 43, а стигле су 41."},
  {"sr-Latn", "Đon na novim cipelama se odlepio posle nedelju dana."},
  {"sk", "Z karty mi dvakrát strhli platbu za tú istú objednávku."},
  {"en", "The parcel has said out for delivery for six days."},
}
local counter = 0
local thread_id = math.random(1, 1000000)

request = function()
  counter = counter + 1
  local story = stories[(counter % #stories) + 1]
  local body = string.format(
    '{"customer":{"email":"bench%d-%d@example.com","language":"%s"},"description":"%s",' ..
    '"order":{"reference":"SO-%d","value":"59.90","currency":"EUR"}}',
    thread_id, counter % 500, story[1], story[2], counter)
  return wrk.format("POST", "/api/v1/cases",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %.0f %.0f %.0f\n", summary.requests,
    e.status + e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
