#!/usr/bin/env bash
# The test command from the README: every ctest case of the release build (configures and builds
# first if needed, so it also works right after a fresh clone + ci/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build/release/build.ninja ]] || cmake --preset release
cmake --build --preset release -j2
ctest --preset release "$@"
