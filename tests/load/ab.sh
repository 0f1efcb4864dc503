#!/usr/bin/env bash
# A/B load comparison of ONE build under two settings (issue 16: the audit trail on and off).
#
#   tests/load/ab.sh                                   A = defaults, B = Audit__Enabled=false
#   A_ENV="Name=value ..." B_ENV="Name=value ..." tests/load/ab.sh
#
# Builds (or takes SERVICE_DLL) as run.sh does and starts the service twice at once, on two free
# loopback ports, with A_ENV and B_ENV added to the environment (each has its own SQLite file and
# log). Only one is driven at a time, so the other is idle. After a warm-up of both, each of ROUNDS
# rounds runs, for DURATION seconds each, (a) POST /benchmark/echo and (b) POST /api/v1/assessments
# (the same bodies as run.sh) on A and on B, in the order A B in odd rounds and B A in even ones,
# so a slow phase of a shared machine falls on both. Reported per round and as medians: (b)/(a)
# of each side (its own echo in the same round), the service's CPU time and bytes allocated per
# assessment, p50; and B against A. With PACED_DELAY_MS set, each side also gets (p) the assessments
# at a paced rate below saturation (each connection waits that long before each request, as in
# soak.sh: about CONNECTIONS x 1000 / (delay + response time) requests a second), for the latency
# and CPU per request a service that is not saturated sees. Exit 0 unless a run fails.
#
# Environment: A_ENV ("") B_ENV ("Audit__Enabled=false") DURATION (10) ROUNDS (4) WARMUP (10) PACED_DELAY_MS ("")
#              CONNECTIONS (64) THREADS (2) QUIET_BUSY (25) QUIET_WAIT (180) OUT SERVICE_DLL
set -euo pipefail

A_ENV=${A_ENV:-}
B_ENV=${B_ENV-Audit__Enabled=false}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-4}
WARMUP=${WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
QUIET_BUSY=${QUIET_BUSY:-25}
QUIET_WAIT=${QUIET_WAIT:-180}
OUT=${OUT:-$(mktemp -d /tmp/clonus-ab.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
: >"$OUT/runs.txt"
: >"$OUT/report.txt"

# shellcheck source=tests/load/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
A_PID="" B_PID=""
stop_both() {
    SERVICE_PID=$A_PID; stop_service
    SERVICE_PID=$B_PID; stop_service
}
trap stop_both EXIT
trap 'exit 130' INT TERM

say "ClonusCds A/B load comparison; results in $OUT"
ensure_tools
machine_info
say "A: ${A_ENV:-(defaults)}   B: ${B_ENV:-(defaults)}"
say "settings: wrk -t$THREADS -c$CONNECTIONS, warm-up ${WARMUP} s per target and side, $ROUNDS rounds of echo+assessments on each side x ${DURATION} s"
build_service
make_bodies

# shellcheck disable=SC2086
start_service service-a $A_ENV
A_URL=$BASE_URL A_PID=$SERVICE_PID
# shellcheck disable=SC2086
start_service service-b $B_ENV
B_URL=$BASE_URL B_PID=$SERVICE_PID

ECHO=/benchmark/echo
ASSESS=/api/v1/assessments
BODIES=$OUT/assessment-bodies.lua

measure() { # SIDE LABEL SECONDS
    local side=$1 label=$2 seconds=$3
    if [ "$side" = A ]; then BASE_URL=$A_URL; else BASE_URL=$B_URL; fi
    local target line
    for target in "echo $ECHO" "assessments $ASSESS"; do
        # shellcheck disable=SC2086
        set -- $target
        line=$(RUN_LABEL="$side:$label" run_wrk "$1" "$2" "$BODIES" "$seconds" "$CONNECTIONS")
        [ "$label" = warmup ] || say "  $side $(echo "$line" | tr ' ' '\n' | grep -E '^(name|rps|p50_ms|errors|non2xx|cpu_us_per_req|alloc_per_req|busy_before)=' | tr '\n' ' ')"
    done
    if [ -n "${PACED_DELAY_MS:-}" ] && [ "$label" != warmup ]; then
        line=$(RUN_LABEL="$side:$label" run_wrk assessments-paced "$ASSESS" "$BODIES" "$seconds" "$CONNECTIONS" "$LOAD_DIR/paced.lua" "$PACED_DELAY_MS")
        say "  $side $(echo "$line" | tr ' ' '\n' | grep -E '^(name|rps|p50_ms|p99_ms|errors|non2xx|cpu_us_per_req|busy_before)=' | tr '\n' ' ')"
    fi
}

say "warm-up (${WARMUP} s each)"
measure A warmup "$WARMUP"
measure B warmup "$WARMUP"
for round in $(seq 1 "$ROUNDS"); do
    say "round $round of $ROUNDS"
    if [ $((round % 2)) = 1 ]; then order="A B"; else order="B A"; fi
    for side in $order; do
        measure "$side" "round-$round" "$DURATION"
    done
done
stop_both

say ""
python3 - "$OUT/runs.txt" "$A_ENV" "$B_ENV" <<'PY' | tee -a "$OUT/report.txt"
import statistics, sys
path, a_env, b_env = sys.argv[1:4]
runs = [dict(kv.split("=", 1) for kv in line.split()) for line in open(path, encoding="utf-8") if line.strip()]
rows = {}
for r in runs:
    side, label = r["label"].split(":", 1)
    if label == "warmup":
        continue
    rows.setdefault((side, label), {})[r["name"]] = r
bad = [r for r in runs if int(r.get("errors", "0")) or int(r.get("non2xx", "0"))]
def fig(side):
    out = []
    for (s, label), t in sorted(rows.items(), key=lambda kv: int(kv[0][1].split("-")[1])):
        if s == side and "echo" in t and "assessments" in t:
            e, b = t["echo"], t["assessments"]
            out.append(dict(round=label, ratio=float(b["rps"]) / float(e["rps"]), rps=float(b["rps"]),
                            cpu=float(b["cpu_us_per_req"]), alloc=float(b["alloc_per_req"]), p50=float(b["p50_ms"])))
    return out
A, B = fig("A"), fig("B")
def joined(values, spec):
    return ", ".join(format(v, spec) for v in values)
print("| side | settings | (b)/(a) per round | median | (b) req/s median | CPU µs per assessment, median (range) | allocated B per assessment | p50 ms median |")
print("|---|---|---|---:|---:|---:|---:|---:|")
for name, env, f in (("A", a_env or "(defaults)", A), ("B", b_env or "(defaults)", B)):
    med = lambda k: statistics.median(x[k] for x in f)
    cpus = [x["cpu"] for x in f]
    print("| %s | `%s` | %s | %.3f | %s | %.1f (%.1f–%.1f) | %s | %.2f |" % (
        name, env, joined((x["ratio"] for x in f), ".3f"), med("ratio"), format(med("rps"), ",.0f"),
        med("cpu"), min(cpus), max(cpus), format(med("alloc"), ",.0f"), med("p50")))
pairs = list(zip(A, B))
ratio = [a["ratio"] / b["ratio"] for a, b in pairs]
cpu = [a["cpu"] - b["cpu"] for a, b in pairs]
alloc = [a["alloc"] - b["alloc"] for a, b in pairs]
print()
print("A/B per round, (b)/(a) ratio: %s; median %.3f" % (joined(ratio, ".3f"), statistics.median(ratio)))
print("A-B per round, CPU µs per assessment: %s; median %+.1f" % (joined(cpu, "+.1f"), statistics.median(cpu)))
print("A-B per round, bytes allocated per assessment: %s" % joined(alloc, "+,.0f"))
paced = {side: [t["assessments-paced"] for (s, _), t in rows.items() if s == side and "assessments-paced" in t] for side in ("A", "B")}
if paced["A"] and paced["B"]:
    print()
    print("(p) paced, below saturation: | side | req/s median | p50 ms median | p99 ms median | CPU µs per assessment, median |")
    for side in ("A", "B"):
        med = lambda k: statistics.median(float(r[k]) for r in paced[side])
        print("  | %s | %s | %.2f | %.2f | %.1f |" % (side, format(med("rps"), ",.0f"), med("p50_ms"), med("p99_ms"), med("cpu_us_per_req")))
if bad:
    print(f"{len(bad)} run(s) had errors or non-2xx answers")
    sys.exit(1)
PY
