#!/usr/bin/env bash
# The GitHub workflow files cannot run here, so CI checks that they are well-formed: yamllint
# (Debian's, relaxed rules, long lines allowed), then the keys this project relies on: every job
# has runs-on and steps, every step one of run/uses, a runs-on that names matrix.runner has that
# matrix, and the benchmark workflows run on both the x86-64 and the arm64 runner.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(.github/workflows/*.yml)
yamllint -d '{extends: relaxed, rules: {line-length: disable}}' "${files[@]}"
python3 - "${files[@]}" <<'PY'
import sys
import yaml

errors = []
for path in sys.argv[1:]:
    with open(path) as f:
        doc = yaml.safe_load(f)
    # YAML 1.1 reads the bare key `on` as true.
    if not isinstance(doc, dict) or "name" not in doc or ("on" not in doc and True not in doc):
        errors.append(f"{path}: needs top-level name and on")
        continue
    jobs = doc.get("jobs")
    if not isinstance(jobs, dict) or not jobs:
        errors.append(f"{path}: no jobs")
        continue
    for name, job in jobs.items():
        where = f"{path}: job {name}"
        if "runs-on" not in job:
            errors.append(f"{where}: no runs-on")
        steps = job.get("steps")
        if not isinstance(steps, list) or not steps:
            errors.append(f"{where}: no steps")
            continue
        for i, step in enumerate(steps):
            if not isinstance(step, dict) or (("run" in step) == ("uses" in step)):
                errors.append(f"{where}: step {i + 1} needs exactly one of run / uses")
        runs_on = str(job.get("runs-on", ""))
        runners = job.get("strategy", {}).get("matrix", {}).get("runner")
        if "matrix.runner" in runs_on and not runners:
            errors.append(f"{where}: runs-on uses matrix.runner but there is no such matrix")
        if "benchmarks" in path and set(runners or [runs_on]) != {"ubuntu-latest", "ubuntu-24.04-arm"}:
            errors.append(f"{where}: benchmarks run on ubuntu-latest and ubuntu-24.04-arm, got {runners or runs_on}")
for e in errors:
    print("check-workflows:", e, file=sys.stderr)
if errors:
    sys.exit(1)
print(f"check-workflows: {len(sys.argv) - 1} workflow files ok")
PY
