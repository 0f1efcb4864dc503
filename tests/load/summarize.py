#!/usr/bin/env python3
"""Summarises tests/load/run.sh: per-target figures, paired ratios, PASS/FAIL against the targets.

Input: runs.txt, one line of key=value pairs per wrk run (written by lib.sh run_wrk).
Output: a plain-text table on stdout and the same as Markdown in summary.md next to runs.txt.
Exit status 1 when a target fails.
"""

import os
import statistics
import sys

TARGETS = [("a", "echo"), ("b", "assessments"), ("g", "assessments-summary"), ("c", "cds-order-select"),
           ("d", "replay"), ("e", "echo-pipeline"), ("f", "assess-floor")]  # d, e, f: DIAGNOSTICS=1 only, not targets


def load(path):
    runs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                runs.append(dict(kv.split("=", 1) for kv in line.split()))
    return runs


def num(run, key):
    return float(run[key])


def main():
    runs_path = sys.argv[1]
    ratio_target = float(os.environ.get("TARGET_RATIO", "0.6"))
    p99_target = float(os.environ.get("TARGET_P99_MS", "15"))
    runs = load(runs_path)
    measured = [r for r in runs if r["label"].startswith("round-")]
    rounds = sorted({r["label"] for r in measured}, key=lambda s: int(s.split("-")[1]))
    by = {(r["label"], r["name"]): r for r in measured}

    rows = []
    for letter, name in TARGETS:
        mine = [by[(rd, name)] for rd in rounds if (rd, name) in by]
        if not mine:
            continue
        all_runs = [r for r in runs if r["name"] == name]  # warm-up included for errors
        rows.append({
            "letter": letter,
            "name": name,
            "rounds": len(mine),
            "rps": statistics.median(num(r, "rps") for r in mine),
            "rps_each": [num(r, "rps") for r in mine],
            "p50": statistics.median(num(r, "p50_ms") for r in mine),
            "p99": statistics.median(num(r, "p99_ms") for r in mine),
            "p99_worst": max(num(r, "p99_ms") for r in mine),
            "requests": sum(int(r["requests"]) for r in mine),
            "errors": sum(int(r["errors"]) for r in all_runs),
            "non2xx": sum(int(r["non2xx"]) for r in all_runs),
            "wrk_non2xx3xx": sum(int(r["wrk_non2xx3xx"]) for r in all_runs),
            "first_non2xx": next((r["first_non2xx"] for r in all_runs if r["first_non2xx"] != "0"), "-"),
            "alloc": statistics.median(num(r, "alloc_per_req") for r in mine),
            "cpu": statistics.median(num(r, "cpu_us_per_req") for r in mine),
            "gen0": statistics.median(num(r, "gen0_per_1k") for r in mine),
            "busy": max(int(r["busy_before"]) for r in mine),
        })
    row = {r["letter"]: r for r in rows}

    def paired(letter):
        out = []
        for rd in rounds:
            x, a = by.get((rd, dict(TARGETS)[letter])), by.get((rd, "echo"))
            if x and a:
                out.append(num(x, "rps") / num(a, "rps"))
        return out

    ratio_b, ratio_c, ratio_d, ratio_e, ratio_f, ratio_g = paired("b"), paired("c"), paired("d"), paired("e"), paired("f"), paired("g")
    lines = []
    md = []
    lines.append(f"{'target':<24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'p99 worst':>11}{'errors':>8}{'non-2xx':>9}"
                 f"{'CPU us/req':>12}{'alloc B/req':>13}{'gen0/1k':>9}  req/s per round")
    md.append("| target | req/s | p50 | p99 | p99 worst round | errors | non-2xx | service CPU per request | allocated per request | gen0 GCs per 1k requests | req/s per round |")
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        label = f"({r['letter']}) {r['name']}"
        each = ", ".join(f"{v:.0f}" for v in r["rps_each"])
        lines.append(f"{label:<24}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['p99_worst']:>11.2f}{r['errors']:>8}"
                     f"{r['non2xx']:>9}{r['cpu']:>12.1f}{r['alloc']:>13.0f}{r['gen0']:>9.2f}  {each}")
        md.append(f"| ({r['letter']}) {r['name']} | {r['rps']:,.0f} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {r['p99_worst']:.2f} ms | "
                  f"{r['errors']} | {r['non2xx']} | {r['cpu']:.1f} µs | {r['alloc']:,.0f} B | {r['gen0']:.2f} | {each} |")
    lines.append("")
    if ratio_b:
        lines.append(f"throughput (b)/(a): median {statistics.median(ratio_b):.3f}  per round: " + ", ".join(f"{v:.3f}" for v in ratio_b))
    if ratio_g:
        lines.append(f"throughput (g)/(a): median {statistics.median(ratio_g):.3f}  per round: " + ", ".join(f"{v:.3f}" for v in ratio_g)
                     + "  (view=summary)")
    if ratio_c:
        lines.append(f"throughput (c)/(a): median {statistics.median(ratio_c):.3f}  per round: " + ", ".join(f"{v:.3f}" for v in ratio_c))
    if ratio_d:
        lines.append(f"throughput (d)/(a): median {statistics.median(ratio_d):.3f}  per round: " + ", ".join(f"{v:.3f}" for v in ratio_d)
                     + "  (diagnostic: the ceiling for (b) with its response bytes)")
    if ratio_e:
        lines.append(f"throughput (e)/(a): median {statistics.median(ratio_e):.3f}  per round: " + ", ".join(f"{v:.3f}" for v in ratio_e)
                     + "  (diagnostic: the middleware pipeline)")
    if ratio_f:
        lines.append(f"throughput (f)/(a): median {statistics.median(ratio_f):.3f}  per round: " + ", ".join(f"{v:.3f}" for v in ratio_f)
                     + "  (diagnostic: bind + engine + write only; the floor for (b)'s own work)")
    lines.append("(medians over the interleaved rounds; ratios are paired within each round; errors and non-2xx include the warm-up)")
    wrk_status = sum(r["wrk_non2xx3xx"] for r in rows)
    lines.append(f"wrk's own 'Non-2xx or 3xx responses': {wrk_status}; busy % of the machine before a measurement, worst: "
                 + ", ".join(f"({r['letter']}) {r['busy']} %" for r in rows))

    checks = []
    if "a" in row and "b" in row and ratio_b:
        rb = statistics.median(ratio_b)
        checks.append((f"(b) throughput >= {ratio_target} x (a)", rb >= ratio_target, f"{rb:.3f} x"))
    if "b" in row:
        checks.append((f"(b) p99 <= {p99_target:g} ms", row["b"]["p99"] <= p99_target,
                       f"{row['b']['p99']:.2f} ms (worst round {row['b']['p99_worst']:.2f} ms)"))
    errors = sum(r["errors"] for r in rows)
    non2xx = sum(r["non2xx"] for r in rows) + wrk_status
    checks.append(("zero errors (connect/read/write/timeout), all targets", errors == 0, str(errors)))
    firsts = ", ".join(f"{r['name']}: first {r['first_non2xx']}" for r in rows if r["non2xx"])
    checks.append(("zero non-2xx, all targets", non2xx == 0, f"{sum(r['non2xx'] for r in rows)}" + (f" ({firsts})" if firsts else "")))

    lines.append("")
    md.append("")
    if ratio_b:
        md.append(f"Throughput (b)/(a): **{statistics.median(ratio_b):.3f}** (per round " + ", ".join(f"{v:.3f}" for v in ratio_b) + ")  ")
    if ratio_g:
        md.append(f"Throughput (g)/(a), view=summary: **{statistics.median(ratio_g):.3f}** (per round " + ", ".join(f"{v:.3f}" for v in ratio_g) + ")  ")
    if ratio_c:
        md.append(f"Throughput (c)/(a): **{statistics.median(ratio_c):.3f}** (per round " + ", ".join(f"{v:.3f}" for v in ratio_c) + ")  ")
    if ratio_d:
        md.append(f"Throughput (d)/(a), diagnostic: {statistics.median(ratio_d):.3f} (per round " + ", ".join(f"{v:.3f}" for v in ratio_d) + ")  ")
    if ratio_e:
        md.append(f"Throughput (e)/(a), diagnostic: {statistics.median(ratio_e):.3f} (per round " + ", ".join(f"{v:.3f}" for v in ratio_e) + ")  ")
    if ratio_f:
        md.append(f"Throughput (f)/(a), diagnostic: {statistics.median(ratio_f):.3f} (per round " + ", ".join(f"{v:.3f}" for v in ratio_f) + ")")
    md.append("")
    md.append("| target | result | measured |")
    md.append("|---|---|---|")
    failed = False
    for label, ok, measured_value in checks:
        verdict = "PASS" if ok else "FAIL"
        failed |= not ok
        lines.append(f"{verdict}  {label}: {measured_value}")
        md.append(f"| {label} | {verdict} | {measured_value} |")

    text = "\n".join(lines)
    print(text)
    with open(os.path.join(os.path.dirname(os.path.abspath(runs_path)), "summary.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
