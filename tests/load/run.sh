#!/usr/bin/env bash
# HTTP load benchmark (issue 4): the service against the platform's own limit, in one run.
#
#   tests/load/run.sh            interleaved benchmark, PASS/FAIL per target, exit 1 on a FAIL
#   tests/load/run.sh --soak     the soak instead (tests/load/soak.sh; arguments passed on)
#
# Builds Release with -p:ClonusBenchmark=true into a temporary folder, starts the service on
# 127.0.0.1 (a free port, Production, CDS Hooks JWT / bearer auth / rate limiting off, log to a
# file), then drives with wrk, after a warm-up, ROUNDS rounds of
#   (a) POST /benchmark/echo                      the same bodies as (b); Kestrel + System.Text.Json
#   (b) POST /api/v1/assessments                  the 7 OpenAPI example contexts in rotation
#   (c) POST /cds-services/clonus-order-select     order-select with prefetch (CdsOrderSelect.json)
#   (g) POST /api/v1/assessments?view=summary      (b) without the trace and citation bodies (issue 15)
# each for DURATION seconds. Ratios are paired within each round, so slow phases of a shared
# machine hit (a), (b) and (c) alike. Before every measurement it waits (up to QUIET_WAIT s) for
# the machine to be quiet (other work < QUIET_BUSY % CPU).
#
# Environment: DURATION (15) ROUNDS (3) WARMUP (10) CONNECTIONS (64) THREADS (2)
#              TARGET_RATIO (0.6) TARGET_P99_MS (15) QUIET_BUSY (25) QUIET_WAIT (180)
#              OUT (results folder; default a new /tmp/clonus-load.*)
#              SERVICE_DLL (skip the build and run this ClonusCds.Api.dll; it must be a benchmark build)
#              BEARER=1 requires REST access tokens (Auth:RequireBearer, one RS384 issuer; every request
#              carries a valid token with clonus.assess; see make_bearer in lib.sh)
#              DIAGNOSTICS=1 adds, in each round, (d) POST /benchmark/replay (the real assessment bytes
#              for each body, computed once: the platform's cost of (b)'s bytes alone) and (e) POST
#              /benchmark/echo-pipeline (the echo through the whole middleware pipeline) and (f) POST
#              /benchmark/assess-floor (bind, engine and write of (b), short-circuited: no middleware, log
#              line or validation; the floor for (b)'s own work); not targets
# Targets: (b) >= 0.6 x (a) throughput; p99 of (b) <= 15 ms; zero errors and zero non-2xx.
set -euo pipefail

if [ "${1:-}" = "--soak" ]; then
    shift
    exec "$(dirname "${BASH_SOURCE[0]}")/soak.sh" "$@"
fi

DURATION=${DURATION:-15}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
QUIET_BUSY=${QUIET_BUSY:-25}
QUIET_WAIT=${QUIET_WAIT:-180}
DIAGNOSTICS=${DIAGNOSTICS:-0}
export TARGET_RATIO=${TARGET_RATIO:-0.6}
export TARGET_P99_MS=${TARGET_P99_MS:-15}
OUT=${OUT:-$(mktemp -d /tmp/clonus-load.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/runs.txt"
: >"$OUT/report.txt"

# shellcheck source=tests/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap stop_service EXIT
trap 'exit 130' INT TERM

say "ClonusCds HTTP load benchmark; results in $OUT"
ensure_tools
machine_info
say "settings: wrk -t$THREADS -c$CONNECTIONS, warm-up ${WARMUP} s per target, $ROUNDS rounds of a->b->g->c$([ "$DIAGNOSTICS" = 1 ] && echo '->d->e->f') x ${DURATION} s"
build_service
make_bodies
make_bearer
start_service

ECHO=/benchmark/echo
ASSESS=/api/v1/assessments
SUMMARY_VIEW="/api/v1/assessments?view=summary"
CDS=/cds-services/clonus-order-select
A_BODIES=$OUT/assessment-bodies.lua
C_BODIES=$OUT/cds-bodies.lua

# One request of each kind first: a wrong status here would make every number meaningless.
check_once() {
    local path=$1 body=$2 status
    local -a bearer=()
    if [ -n "${CLONUS_BEARER:-}" ]; then bearer=(-H "Authorization: Bearer $CLONUS_BEARER"); fi
    status=$(curl -sS -o /dev/null -w '%{http_code}' "${bearer[@]}" -H 'Content-Type: application/json' --data-binary "@$body" "$BASE_URL$path")
    [ "$status" = 200 ] || { say "FAIL: POST $path answered $status"; exit 2; }
}
python3 - "$REPO_ROOT" "$OUT" <<'PY'
import json, sys, glob, os
root, out = sys.argv[1], sys.argv[2]
for i, p in enumerate(sorted(glob.glob(os.path.join(root, "src/ClonusCds.Api/OpenApi/Examples/*.json")))):
    json.dump(json.load(open(p, encoding="utf-8"))["value"], open(os.path.join(out, f"check-{i}.json"), "w"))
PY
for body in "$OUT"/check-*.json; do
    check_once "$ECHO" "$body"
    check_once "$ASSESS" "$body"
    check_once "$SUMMARY_VIEW" "$body"
done
check_once "$CDS" "$REPO_ROOT/tests/ClonusCds.Benchmarks/CdsOrderSelect.json"

say "warm-up (${WARMUP} s each)"
RUN_LABEL=warmup run_wrk echo "$ECHO" "$A_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
RUN_LABEL=warmup run_wrk assessments "$ASSESS" "$A_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
RUN_LABEL=warmup run_wrk assessments-summary "$SUMMARY_VIEW" "$A_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
RUN_LABEL=warmup run_wrk cds-order-select "$CDS" "$C_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
if [ "$DIAGNOSTICS" = 1 ]; then
    RUN_LABEL=warmup run_wrk replay /benchmark/replay "$A_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
    RUN_LABEL=warmup run_wrk echo-pipeline /benchmark/echo-pipeline "$A_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
    RUN_LABEL=warmup run_wrk assess-floor /benchmark/assess-floor "$A_BODIES" "$WARMUP" "$CONNECTIONS" >/dev/null
fi

TARGETS=("echo $ECHO $A_BODIES" "assessments $ASSESS $A_BODIES" "assessments-summary $SUMMARY_VIEW $A_BODIES" "cds-order-select $CDS $C_BODIES")
if [ "$DIAGNOSTICS" = 1 ]; then
    # Not targets: where the gap between (a) and (b) goes. (d) answers the real assessment bytes
    # without any of the service's work; (e) is the echo through the whole middleware pipeline.
    # (f) is (b) without the middleware, the log line and the validation: the floor for (b).
    TARGETS+=("replay /benchmark/replay $A_BODIES" "echo-pipeline /benchmark/echo-pipeline $A_BODIES"
        "assess-floor /benchmark/assess-floor $A_BODIES")
fi

for round in $(seq 1 "$ROUNDS"); do
    say "round $round of $ROUNDS"
    for target in "${TARGETS[@]}"; do
        # shellcheck disable=SC2086
        set -- $target
        line=$(RUN_LABEL=round-$round run_wrk "$1" "$2" "$3" "$DURATION" "$CONNECTIONS")
        say "  $(echo "$line" | tr ' ' '\n' | grep -E '^(name|rps|p50_ms|p99_ms|errors|non2xx|cpu_us_per_req|alloc_per_req|busy_before)=' | tr '\n' ' ')"
    done
done

say "service log: $(wc -l <"$OUT/service.log") lines, $(du -h "$OUT/service.log" | cut -f1)"
stop_service
say ""
status=0
python3 "$LOAD_DIR/summarize.py" "$OUT/runs.txt" | tee -a "$OUT/report.txt" || status=$?
say ""
say "report: $OUT/report.txt; Markdown: $OUT/summary.md; per-run wrk output: $OUT/wrk-*.txt"
exit "$status"
