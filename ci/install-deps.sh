#!/usr/bin/env bash
# Installs exactly the Debian 12 packages bitnet-bench needs that are missing. Idempotent.
# Usage: ci/install-deps.sh [--dry-run] [--arm64]
#   --arm64: instead, what the aarch64 cross-build and its tests under QEMU need (ci/arm64.sh,
#            docs/arm64.md): the cross compiler, qemu-user and the arm64 libraries (multiarch).
set -euo pipefail
dry=0
arm64=0
for a in "$@"; do
  case "$a" in
    --dry-run) dry=1 ;;
    --arm64) arm64=1 ;;
    *) echo "install-deps: unknown option $a" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build pkg-config git
  libbenchmark-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev nlohmann-json3-dev libxsimd-dev xtl-dev libfmt-dev libssl-dev libicu-dev
  libcli11-dev  # the tools' command lines (docs/cli.md)
  python3 clang-format
  chromium librsvg2-bin  # bench-report's browser test (headless page + SVG rendering)
  libbenchmark-tools python3-scipy  # Google Benchmark's compare.py (docs/report.md)
  clang libclang-rt-dev  # libFuzzer and the sanitizer runtimes for the fuzz preset (.ci/run)
  yamllint  # ci/check-workflows.sh: the GitHub workflow files are well-formed
)

if [[ $arm64 -eq 1 ]]; then
  packages=(
    g++-aarch64-linux-gnu qemu-user cmake ninja-build pkg-config
    libbenchmark-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64 libcurl4-openssl-dev:arm64
    libfmt-dev:arm64 libssl-dev:arm64 libicu-dev:arm64 libxsimd-dev:arm64
    nlohmann-json3-dev xtl-dev  # header-only, architecture-independent
  )
fi

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
if [[ $arm64 -eq 1 ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
