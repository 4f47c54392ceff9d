#!/usr/bin/env python3
"""Synthetic companions of quick.json (a real quick-suite run) for bench-report's tests.
Deterministic (random.seed(1)); rerun it in this folder to regenerate.

history/run-{1..5}.json: a 5-run nightly history of one machine (nightly_machine_key
"synthetic-epyc-2cpu"), dated 2026-11-26..30, gemv/decode/prefill rows only (what the history
charts draw). Every row gets 3 repetitions at quick.json's median times a lognormal factor
(sigma 2 %). Run 4 is a regression: gemv/tq2_0/dispatch rows and decode/tiny-tq2_0-* take 1.25x
as long; run 5 is back to normal.

baseline.json: every family of quick.json, 9 repetitions at its median (sigma 1 %), with
gemv/tq2_0/dispatch rows 1.5x slower (quick.json then reads as an improvement) and
quant_act/i8_s rows 0.5x (a regression): the --diff input.

Times scale by the factor, rates (bytes_per_second, GOPS, items/tokens per second, bw_frac,
peak_frac) by its inverse; frac_* shares and limits are unchanged. No aggregate rows (the tools
read the repetitions). One row per line: small, and a diff of two versions stays readable."""
import copy
import json
import math
import os
import random
import statistics

random.seed(1)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "quick.json")) as f:
    quick = json.load(f)

RATES = ("bytes_per_second", "GOPS", "items_per_second", "tokens_per_second", "bw_frac", "peak_frac")

# Per benchmark: the first repetition as a template and the median of every numeric field.
rows, order = {}, []
for row in quick["benchmarks"]:
    if row.get("run_type") != "iteration" or row.get("error_occurred"):
        continue
    name = row["run_name"]
    if name not in rows:
        rows[name] = []
        order.append(name)
    rows[name].append(row)


def median_row(reps):
    r = dict(reps[0])
    for k, v in reps[0].items():
        if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in (
                "family_index", "per_family_instance_index", "repetitions", "repetition_index",
                "threads", "iterations"):
            r[k] = statistics.median(rep[k] for rep in reps)
    return r


def write(path, context, names, reps, sigma, slow_of):
    out_rows = []
    for name in names:
        base = median_row(rows[name])
        for i in range(reps):
            f = slow_of(name) * math.exp(random.gauss(0, sigma))
            r = dict(base)
            r["repetitions"], r["repetition_index"] = reps, i
            r["real_time"] = base["real_time"] * f
            r["cpu_time"] = base["cpu_time"] * f
            for k in RATES:
                if k in r:
                    r[k] = base[k] / f
            out_rows.append(r)
    with open(path, "w") as out:
        out.write('{"context": %s,\n "benchmarks": [\n' % json.dumps(context))
        out.write(",\n".join(json.dumps(r) for r in out_rows))
        out.write("\n]}\n")


os.makedirs(os.path.join(here, "history"), exist_ok=True)
charted = [n for n in order if n.split("/")[0] in ("gemv", "decode", "prefill")]
for run in range(1, 6):
    ctx = copy.deepcopy(quick["context"])
    ctx["date"] = "2026-11-%02dT03:00:00+00:00" % (25 + run)
    ctx["nightly_machine_key"] = "synthetic-epyc-2cpu"
    ctx["bitnet_git_commit"] = "synthetic%d" % run

    def slow(name, run=run):
        regressed = name.startswith("gemv/tq2_0/dispatch/") or name.startswith("decode/tiny-tq2_0")
        return 1.25 if run == 4 and regressed else 1.0

    write(os.path.join(here, "history", "run-%d.json" % run), ctx, charted, 3, 0.02, slow)

ctx = copy.deepcopy(quick["context"])
ctx["date"] = "2026-11-30T03:00:00+00:00"
ctx["bitnet_git_commit"] = "synthetic-baseline"


def baseline_slow(name):
    if name.startswith("gemv/tq2_0/dispatch/"):
        return 1.5
    if name.startswith("quant_act/i8_s/"):
        return 0.5
    return 1.0


write(os.path.join(here, "baseline.json"), ctx, order, 9, 0.01, baseline_slow)
