-- wrk script for the soak (tests/load/soak.sh): post.lua plus a constant pace.
--
-- Each connection waits DELAY_MS before each request, so the offered rate is about
--   connections × 1000 / (DELAY_MS + response time)
-- soak.sh calibrates DELAY_MS (response time included) so that this is the target rate. wrk
-- takes whole milliseconds; the fraction is carried from one request to the next, so the mean
-- delay is DELAY_MS exactly.
--
-- Usage: wrk -t2 -c64 -d300s --latency -s tests/load/paced.lua URL -- BODIES.lua NAME DELAY_MS

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "post.lua")

local post_init = init

function init(args)
   post_init(args)
   delay_ms = tonumber(args[3]) or 0
   carried = 0
end

function delay()
   carried = carried + delay_ms
   local whole = math.floor(carried)
   carried = carried - whole
   return whole
end
