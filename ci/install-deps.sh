#!/usr/bin/env bash
# Installs exactly the Debian 12 packages bitnet-bench needs that are missing. Idempotent.
# Usage: ci/install-deps.sh [--dry-run]
set -euo pipefail
dry=0
[[ "${1:-}" == "--dry-run" ]] && dry=1

packages=(
  build-essential cmake ninja-build pkg-config git
  libbenchmark-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev nlohmann-json3-dev libxsimd-dev xtl-dev libfmt-dev libssl-dev libicu-dev
  libcli11-dev  # the tools' command lines (docs/cli.md)
  python3 clang-format
  chromium librsvg2-bin  # bench-report's browser test (headless page + SVG rendering)
  libbenchmark-tools python3-scipy  # Google Benchmark's compare.py (docs/report.md)
  clang libclang-rt-dev  # libFuzzer and the sanitizer runtimes for the fuzz preset (.ci/run)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"
if [[ $dry -eq 1 ]]; then
  echo "would run: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  exit 0
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
