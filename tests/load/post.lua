-- wrk script for the HTTP load benchmark (tests/load/run.sh, soak.sh).
--
-- POSTs JSON bodies in rotation, counts responses that are not 2xx (and which status came first),
-- and prints one machine-readable line in done():
--
--   CLONUS_RESULT name=… requests=… seconds=… rps=… p50_ms=… p90_ms=… p99_ms=… max_ms=…
--                 errors=… (connect+read+write+timeout) wrk_non2xx3xx=… non2xx=… responses=…
--
-- Usage: wrk -t2 -c64 -d15s --latency -s tests/load/post.lua URL -- BODIES.lua NAME
--   BODIES.lua sets the global table `bodies` (JSON strings); run.sh generates it at run time from
--   src/ClonusCds.Api/OpenApi/Examples/*.json ("value" of each) or a single CDS Hooks request.
--   Each wrk thread starts at a different body, then goes round them all.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_number", #threads)
end

function init(args)
   bodies_file = args[1]
   name = args[2] or "target"
   dofile(bodies_file) -- sets the global `bodies`
   local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
   local bearer = os.getenv("CLONUS_BEARER") -- run.sh with BEARER=1
   if bearer and bearer ~= "" then
      headers["Authorization"] = "Bearer " .. bearer
   end
   prepared = {}
   for i, body in ipairs(bodies) do
      prepared[i] = wrk.format("POST", nil, headers, body)
   end
   position = ((thread_number or 1) - 1) % #prepared
   responses = 0
   non2xx = 0
   first_non2xx = 0
end

function request()
   position = position % #prepared + 1
   return prepared[position]
end

function response(status, headers, body)
   responses = responses + 1
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_non2xx == 0 then
         first_non2xx = status
      end
   end
end

function done(summary, latency, requests)
   local non2xx_total, responses_total, first_bad, label = 0, 0, 0, "target"
   for _, thread in ipairs(threads) do
      non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
      responses_total = responses_total + (thread:get("responses") or 0)
      local first = thread:get("first_non2xx") or 0
      if first_bad == 0 and first ~= 0 then
         first_bad = first
      end
      label = thread:get("name") or label
   end
   local e = summary.errors
   local errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   io.write(string.format(
      "CLONUS_RESULT name=%s requests=%d seconds=%.3f rps=%.1f mean_ms=%.3f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
         .. "errors=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d wrk_non2xx3xx=%d "
         .. "non2xx=%d first_non2xx=%d responses=%d bytes=%d\n",
      label, summary.requests, seconds, summary.requests / seconds, latency.mean / 1000,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
      errors, e.connect, e.read, e.write, e.timeout, e.status,
      non2xx_total, first_bad, responses_total, summary.bytes))
end
