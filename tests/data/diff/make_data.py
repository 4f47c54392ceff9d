#!/usr/bin/env python3
"""Writes the crafted Google Benchmark 1.7.1-shaped result files used by tests/test_diff_*.cc.

Values are fixed lists (no randomness) so every expected verdict can be checked by hand.
Run from this directory: python3 make_data.py. Field order and names follow the JSON that
Google Benchmark 1.7.1 writes with --benchmark_repetitions=N --benchmark_format=json
(iteration rows, then mean/median/stddev/cv aggregate rows per benchmark).
"""
import json
import statistics

CONTEXT = {"date": "2026-11-26T18:00:00+00:00", "host_name": "ci", "executable": "bitnet_benches",
           "num_cpus": 2, "mhz_per_cpu": 1996, "cpu_scaling_enabled": False,
           "library_build_type": "release"}

BASE_GEMV = [100.0, 101.5, 99.2, 100.8, 102.1, 98.7, 100.3, 101.0, 99.6]  # microseconds
BASE_DEQ = [50.0, 50.6, 49.7, 50.3, 51.0, 49.5, 50.1, 50.4, 49.9]
BASE_TPS = [12.0, 12.2, 11.9, 12.1, 12.3, 11.8, 12.05, 12.15, 11.95]  # tokens/s counter
NOISE = [1.01, 0.99, 1.02, 0.98, 1.0, 1.03, 0.97, 1.015, 0.985]  # +-3 %, median 1.0


def rows(name, times, unit="us", counters=None, aggregates=True, family_index=0):
    out = []
    n = len(times)
    for i, t in enumerate(times):
        r = {"name": name, "family_index": family_index, "per_family_instance_index": 0,
             "run_name": name, "run_type": "iteration", "repetitions": n, "repetition_index": i,
             "threads": 1, "iterations": 1000, "real_time": t, "cpu_time": t * 0.98,
             "time_unit": unit}
        for k, v in (counters or {}).items():
            r[k] = v[i]
        out.append(r)
    if aggregates and n > 1:
        stats = {"mean": statistics.mean, "median": statistics.median, "stddev": statistics.stdev}
        for agg, f in stats.items():
            r = {"name": name + "_" + agg, "family_index": family_index,
                 "per_family_instance_index": 0, "run_name": name, "run_type": "aggregate",
                 "repetitions": n, "threads": 1, "aggregate_name": agg, "aggregate_unit": "time",
                 "iterations": n, "real_time": f(times), "cpu_time": f([t * 0.98 for t in times]),
                 "time_unit": unit}
            for k, v in (counters or {}).items():
                r[k] = f(v)
            out.append(r)
        cv = {"name": name + "_cv", "family_index": family_index, "per_family_instance_index": 0,
              "run_name": name, "run_type": "aggregate", "repetitions": n, "threads": 1,
              "aggregate_name": "cv", "aggregate_unit": "percentage", "iterations": n,
              "real_time": statistics.stdev(times) / statistics.mean(times), "cpu_time": 0.01,
              "time_unit": unit}
        out.append(cv)
    return out


def errored(name, message, n=9):
    return [{"name": name, "family_index": 9, "per_family_instance_index": 0, "run_name": name,
             "run_type": "iteration", "repetitions": n, "repetition_index": i, "threads": 1,
             "error_occurred": True, "error_message": message, "iterations": 1, "real_time": 0,
             "cpu_time": 0, "time_unit": "ns"} for i in range(n)]


def write(path, benchmarks, date=CONTEXT["date"]):
    ctx = dict(CONTEXT, date=date)
    with open(path, "w") as f:
        json.dump({"context": ctx, "benchmarks": benchmarks}, f, indent=1)
        f.write("\n")


def scale(values, factors):
    return [round(v * f, 4) for v, f in zip(values, factors)]


GEMV = "gemv/tq2_0/2560x2560"
DEQ = "dequant/tq2_0/65536"
DECODE = "decode/synthetic/threads:2"


def suite(gemv, deq, tps, us_per_unit=1, **kw):
    """gemv/dequant times are in us; decode's per-token time derives from tokens/s."""
    to_unit = lambda ts: [t / us_per_unit for t in ts]
    return (rows(GEMV, to_unit(gemv), **kw) + rows(DEQ, to_unit(deq), family_index=1, **kw)
            + rows(DECODE, to_unit([1e6 / t for t in tps]), counters={"tokens/s": tps},
                   family_index=2, **kw))


write("baseline.json", suite(BASE_GEMV, BASE_DEQ, BASE_TPS))
# gemv 20 % slower on every repetition; the rest only noise.
write("regression.json", suite(scale(BASE_GEMV, [1.2 * f for f in NOISE]),
                               scale(BASE_DEQ, NOISE), scale(BASE_TPS, NOISE)))
# Noise only: every benchmark within +-3 %.
write("noise.json", suite(scale(BASE_GEMV, NOISE), scale(BASE_DEQ, NOISE[::-1]),
                          scale(BASE_TPS, NOISE)))
# dequant 10 % faster; decode tokens/s 15 % lower (higher is better: a regression).
write("counters.json", suite(scale(BASE_GEMV, NOISE), scale(BASE_DEQ, [0.9 * f for f in NOISE]),
                             scale(BASE_TPS, [0.85 * f for f in NOISE])))
# Median 8 % slower but the repetitions overlap widely: not significant -> inconclusive.
write("wide.json", suite(scale(BASE_GEMV, [0.9, 1.3, 0.92, 1.25, 1.08, 0.95, 1.2, 0.97, 1.1]),
                         scale(BASE_DEQ, NOISE), scale(BASE_TPS, NOISE)))
# Rows: dequant removed, a new quant_act benchmark added, gemv errored, one skipped case.
write("changed_rows.json",
      errored(GEMV, "output mismatch vs reference at row 3")
      + rows(DECODE, [1e6 / t for t in BASE_TPS], counters={"tokens/s": BASE_TPS}, family_index=2)
      + rows("quant_act/i8_s/2560", [4.0, 4.1, 3.9, 4.05, 4.0, 3.95, 4.2, 4.0, 4.1], family_index=3)
      + errored("gemv/tq2_0/2560x2560/isa:avx512vnni", "skipped: CPU lacks AVX512_VNNI"))
# A single repetition each (no aggregates), 30 % slower: cannot be significant.
write("one_rep_base.json", rows(GEMV, [100.0]))
write("one_rep_slow.json", rows(GEMV, [130.0]))
# Only aggregates (--benchmark_report_aggregates_only=true), in another time unit (ms).
agg_only = [r for r in suite(BASE_GEMV, BASE_DEQ, BASE_TPS, us_per_unit=1000, unit="ms")
            if r["run_type"] == "aggregate"]
write("aggregates_only.json", agg_only)
# A baseline history: three nightly runs of the same machine (dates decide "newest").
for i, (date, f) in enumerate([("2026-11-23T02:00:00+00:00", NOISE),
                               ("2026-11-24T02:00:00+00:00", NOISE[::-1]),
                               ("2026-11-25T02:00:00+00:00", [1.0] * 9)]):
    write(f"history/run-{i}.json", suite(scale(BASE_GEMV, f), scale(BASE_DEQ, f),
                                         scale(BASE_TPS, f)), date=date)
