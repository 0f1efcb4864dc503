#!/usr/bin/env bash
# Soak (issue 4): POST /api/v1/assessments at a constant 80 % of the measured capacity for
# 5 minutes, sampling GET /benchmark/stats every 10 s into a CSV, then a verdict.
#
#   tests/load/soak.sh            measure the capacity of (b) first (warm-up + 15 s unpaced)
#   tests/load/soak.sh RATE       take the capacity as RATE requests/s (e.g. from tests/load/run.sh)
#   tests/load/run.sh --soak ...  the same
#
# The rate is held by wrk's delay() (tests/load/paced.lua): rate = connections x 1000 / (delay +
# response time); a 10-s paced probe measures the response time at that load, and the delay is set
# so that the rate is the target. Verdict: memory flat (the mean working set of the last minute
# within 10 % of the second minute's, and the heap retained after a full GC at the end within 10 %
# or 1 MB of the one at the start: POST /benchmark/gc), no errors and no non-2xx,
# pending thread-pool work items not growing (last-minute mean at most the second minute's + 8).
# Exit 1 on a FAIL.
#
# Environment: SOAK_SECONDS (300) SAMPLE_SECONDS (10) LOAD_PERCENT (80) CONNECTIONS (64, for the
#              capacity) SOAK_CONNECTIONS (256, paced) THREADS (2) QUIET_BUSY (25) QUIET_WAIT (180) OUT SERVICE_DLL (as in run.sh)
set -euo pipefail

SOAK_SECONDS=${SOAK_SECONDS:-300}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
LOAD_PERCENT=${LOAD_PERCENT:-80}
CONNECTIONS=${CONNECTIONS:-64}
# Paced connections: with more of them each waits longer between requests, so the response time
# (which grows with the load) is a smaller part of the period and the rate holds better.
SOAK_CONNECTIONS=${SOAK_CONNECTIONS:-256}
THREADS=${THREADS:-2}
QUIET_BUSY=${QUIET_BUSY:-25}
QUIET_WAIT=${QUIET_WAIT:-180}
CAPACITY=${1:-}
OUT=${OUT:-$(mktemp -d /tmp/clonus-soak.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/runs.txt"
: >"$OUT/report.txt"

# shellcheck source=tests/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WRK_PID=""
cleanup() {
    if [ -n "$WRK_PID" ]; then kill "$WRK_PID" 2>/dev/null || true; fi
    stop_service
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "ClonusCds soak; results in $OUT"
ensure_tools
machine_info
build_service
make_bodies
make_bearer
start_service
ASSESS=/api/v1/assessments
BODIES=$OUT/assessment-bodies.lua

say "warm-up (15 s unpaced)"
RUN_LABEL=warmup run_wrk assessments "$ASSESS" "$BODIES" 15 "$CONNECTIONS" >/dev/null
if [ -z "$CAPACITY" ]; then
    CAPACITY=$(RUN_LABEL=capacity run_wrk assessments "$ASSESS" "$BODIES" 15 "$CONNECTIONS" | tr ' ' '\n' | sed -n 's/^rps=//p')
    say "capacity of (b), measured: $CAPACITY req/s (15 s, $CONNECTIONS connections)"
else
    say "capacity of (b), given: $CAPACITY req/s"
fi
TARGET=$(python3 -c "print(round($CAPACITY * $LOAD_PERCENT / 100, 1))")

# Calibrate the delay: per connection, one request every (delay + response time) ms; the response
# time is measured by paced probes at (nearly) the target load.
DELAY=$(python3 -c "print(round($SOAK_CONNECTIONS * 1000 / $TARGET, 3))")
for probe in 1 2 3; do
    achieved=$(RUN_LABEL=probe-$probe run_wrk assessments "$ASSESS" "$BODIES" 8 "$SOAK_CONNECTIONS" "$LOAD_DIR/paced.lua" "$DELAY" | tr ' ' '\n' | sed -n 's/^rps=//p')
    new_delay=$(python3 -c "
c, target, delay, got = $SOAK_CONNECTIONS, $TARGET, $DELAY, $achieved
response_ms = max(0.0, c * 1000 / got - delay)
print(round(max(0.0, c * 1000 / target - response_ms), 3))")
    say "pace probe $probe: delay ${DELAY} ms -> ${achieved} req/s (target ${TARGET}); next delay ${new_delay} ms"
    DELAY=$new_delay
done

CSV=$OUT/soak-stats.csv
echo "elapsed_s,working_set_mb,gc_heap_mb,total_memory_mb,gen2_after_mb,allocated_mb,gen0,gen1,gen2,gc_pause_ms,threadpool_threads,pending_work_items,completed_work_items,process_threads,cpu_s" >"$CSV"
sample() {
    stats | python3 -c "
import json, sys
s = json.load(sys.stdin); mb = 2 ** 20
print(','.join(str(x) for x in [$1, round(s['workingSetBytes'] / mb, 2), round(s['gcHeapSizeBytes'] / mb, 2),
      round(s['totalMemoryBytes'] / mb, 2), round(s['gen2SizeAfterBytes'] / mb, 2), round(s['totalAllocatedBytes'] / mb, 1),
      s['gen0Collections'], s['gen1Collections'], s['gen2Collections'], round(s['gcPauseTotalMs'], 1), s['threadPoolThreads'],
      s['threadPoolPendingWorkItems'], s['threadPoolCompletedWorkItems'], s['processThreads'],
      round((s['cpuUserMs'] + s['cpuKernelMs']) / 1000, 2)]))" >>"$CSV"
}

# The heap really retained (after a full, compacting GC) now and at the end: the leak check.
retained_start=$(curl -fsS -X POST "$BASE_URL/benchmark/gc")
busy=$(wait_quiet)
say "soak: ${SOAK_SECONDS} s at ${TARGET} req/s (${LOAD_PERCENT} % of ${CAPACITY}), wrk -t$THREADS -c$SOAK_CONNECTIONS, delay ${DELAY} ms; machine busy ${busy} % before"
SOAK_WRK=$OUT/wrk-soak.txt
start=$(date +%s.%N)
sample 0
wrk -t"$THREADS" -c"$SOAK_CONNECTIONS" -d"${SOAK_SECONDS}s" --latency -s "$LOAD_DIR/paced.lua" "$BASE_URL$ASSESS" -- "$BODIES" soak "$DELAY" >"$SOAK_WRK" 2>&1 &
WRK_PID=$!
while kill -0 "$WRK_PID" 2>/dev/null; do
    sleep "$SAMPLE_SECONDS"
    if kill -0 "$WRK_PID" 2>/dev/null; then
        sample "$(python3 -c "import time; print(round(time.time() - $start, 1))")"
    fi
done
wait "$WRK_PID" || { cat "$SOAK_WRK" >&2; say "FAIL: wrk failed"; exit 2; }
WRK_PID=""
sample "$(python3 -c "import time; print(round(time.time() - $start, 1))")"
result=$(grep '^CLONUS_RESULT ' "$SOAK_WRK" | sed 's/^CLONUS_RESULT //')
retained_end=$(curl -fsS -X POST "$BASE_URL/benchmark/gc")
stop_service

status=0
python3 - "$CSV" "$result" "$TARGET" "$CAPACITY" "$SOAK_CONNECTIONS" "$OUT/soak-summary.md" "$retained_start" "$retained_end" <<'PY' | tee -a "$OUT/report.txt" || status=$?
import csv, json, statistics, sys

path, result, target, capacity, connections, md_path = sys.argv[1:7]
retained_start, retained_end = json.loads(sys.argv[7]), json.loads(sys.argv[8])
target, capacity, connections = float(target), float(capacity), int(connections)
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(path))]
kv = dict(x.split("=", 1) for x in result.split())
end = rows[-1]["elapsed_s"]

def window(lo, hi):
    return [r for r in rows if lo <= r["elapsed_s"] < hi] or rows

def mean(rs, key):
    return statistics.mean(r[key] for r in rs)

second = window(60, 120)
last = window(end - 60, end + 1)
middle = min(rows, key=lambda r: abs(r["elapsed_s"] - end / 2))
first, final = rows[0], rows[-1]

lines = []
md = []
rate = float(kv["rps"])
lines.append(f"rate: {rate:.0f} req/s achieved for a target of {target:.0f} ({100 * rate / capacity:.0f} % of the capacity {capacity:.0f}); "
             f"{int(kv['requests']):,} requests in {float(kv['seconds']):.0f} s; p50 {float(kv['p50_ms']):.2f} ms, p99 {float(kv['p99_ms']):.2f} ms, "
             f"max {float(kv['max_ms']):.1f} ms")
lines.append(f"{'':<22}{'start':>10}{'middle':>10}{'end':>10}   (at {first['elapsed_s']:.0f} s, {middle['elapsed_s']:.0f} s, {final['elapsed_s']:.0f} s)")
for label, key in [("working set MB", "working_set_mb"), ("GC heap MB", "gc_heap_mb"), ("gen2 after GC MB", "gen2_after_mb")]:
    lines.append(f"{label:<22}{first[key]:>10.1f}{middle[key]:>10.1f}{final[key]:>10.1f}")
lines.append(f"{'retained after full GC MB':<22}{retained_start['totalMemoryBytes'] / 2 ** 20:>10.2f}{'':>10}{retained_end['totalMemoryBytes'] / 2 ** 20:>10.2f}"
             f"   (GC.GetTotalMemory after a forced, compacting collection before and after the soak)")
gcs = {g: int(final[g] - first[g]) for g in ("gen0", "gen1", "gen2")}
lines.append(f"GCs during the soak: gen0 {gcs['gen0']}, gen1 {gcs['gen1']}, gen2 {gcs['gen2']}; GC pause {final['gc_pause_ms'] - first['gc_pause_ms']:.0f} ms in total; "
             f"allocated {final['allocated_mb'] - first['allocated_mb']:,.0f} MB ({1024 * 1024 * (final['allocated_mb'] - first['allocated_mb']) / max(1, int(kv['requests'])):,.0f} B per request)")
lines.append(f"thread pool: threads max {max(r['threadpool_threads'] for r in rows):.0f}; pending work items max {max(r['pending_work_items'] for r in rows):.0f}, "
             f"mean {mean(rows, 'pending_work_items'):.1f}; process threads max {max(r['process_threads'] for r in rows):.0f}; "
             f"service CPU {final['cpu_s'] - first['cpu_s']:.0f} s ({1e6 * (final['cpu_s'] - first['cpu_s']) / max(1, int(kv['requests'])):.0f} µs per request)")
errors, non2xx = int(kv["errors"]), int(kv["non2xx"]) + int(kv["wrk_non2xx3xx"])
lines.append(f"errors {errors}, non-2xx {kv['non2xx']} (wrk's own count {kv['wrk_non2xx3xx']})")

def flat(key):
    a, b = mean(second, key), mean(last, key)
    return abs(b - a) <= 0.10 * a, f"{a:.1f} -> {b:.1f} MB ({100 * (b - a) / a:+.1f} %)"

checks = []
ok, text = flat("working_set_mb")
checks.append(("working set flat (last-minute mean within 10 % of the second minute's)", ok, text))
# The GC heap size between full collections is not a leak signal: gen2 collects rarely (a few
# times in 5 minutes) and grows with what gen1 promotes until it does. The retained heap after a
# forced full collection is; the trend is printed for information.
ok, text = flat("gc_heap_mb")
lines.append(f"GC heap between full GCs (information), second minute -> last minute: {text}")
mb = 2 ** 20
ra, rb = retained_start["totalMemoryBytes"] / mb, retained_end["totalMemoryBytes"] / mb
checks.append(("heap retained after a full GC: end within 10 % (or 1 MB) of start", rb <= max(ra * 1.10, ra + 1),
               f"{ra:.2f} -> {rb:.2f} MB ({100 * (rb - ra) / ra:+.1f} %)"))
checks.append(("no errors", errors == 0, str(errors)))
checks.append(("no non-2xx", non2xx == 0, kv["non2xx"]))
pa, pb = mean(second, "pending_work_items"), mean(last, "pending_work_items")
checks.append(("pending work items not growing (last-minute mean <= second minute's + 8)", pb <= pa + 8, f"{pa:.1f} -> {pb:.1f}"))
lines.append("")
failed = False
md.append("| check | result | measured |")
md.append("|---|---|---|")
for label, ok, text in checks:
    failed |= not ok
    lines.append(f"{'PASS' if ok else 'FAIL'}  {label}: {text}")
    md.append(f"| {label} | {'PASS' if ok else 'FAIL'} | {text} |")
lines.append(f"VERDICT: {'FAIL' if failed else 'PASS'}")
if abs(rate - target) > 0.1 * target:
    lines.append(f"note: the achieved rate is {100 * rate / target:.0f} % of the target")
print("\n".join(lines))
with open(md_path, "w", encoding="utf-8") as f:
    f.write("\n".join(["```", *lines, "```", "", *md]) + "\n")
sys.exit(1 if failed else 0)
PY
say "stats every ${SAMPLE_SECONDS} s: $CSV; service log: $OUT/service.log; summary: $OUT/soak-summary.md"
exit "$status"
