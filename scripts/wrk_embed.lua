-- wrk script for the server load runs (scripts/load_compare.sh, scripts/overload_server.sh): each request POSTs one
-- sentence in OpenAI's embeddings shape to $WRK_PATH (default /v1/embeddings) with "model": $WRK_MODEL, rotating
-- through a few lengths as many small clients would send; counts answers by status (200, 429, other) over all threads.
local sentences = {
  "A man is eating food.", "A man is riding a horse.", "The girl is carrying a baby.",
  "Someone in a gorilla costume is playing a set of drums.", "A cheetah is running behind its prey.",
  "Two men pushed carts through the woods while a woman watched from the porch of a small house.",
}
local path = os.getenv("WRK_PATH") or "/v1/embeddings"
local model = os.getenv("WRK_MODEL") or "model"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; ok = 0; overloaded = 0; other = 0 end
function request()
  n = n + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"},
                    '{"input": ["' .. sentences[(n % #sentences) + 1] .. '"], "model": "' .. model .. '"}')
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 429 then overloaded = overloaded + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local s200, s429, sother = 0, 0, 0
  for _, t in ipairs(threads) do
    s200 = s200 + t:get("ok"); s429 = s429 + t:get("overloaded"); sother = sother + t:get("other")
  end
  io.write(string.format("RESULT requests=%d ok=%d status429=%d other_status=%d socket_errors=%d timeouts=%d " ..
    "rps=%.1f ok_rps=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, s200, s429, sother,
    summary.errors.connect + summary.errors.read + summary.errors.write, summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), s200 / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
