#!/usr/bin/env bash
# Fails, listing them, when any tracked C++ file differs from what clang-format makes of it (the
# repo's .clang-format; Debian 12's clang-format is version 14). Fix with:
#   git ls-files '*.cc' '*.h' | grep -v '^tests/data/' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null || { echo "check-format: $cf not found (ci/install-deps.sh)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v '^tests/data/')
bad=()
for f in "${files[@]}"; do
  "$cf" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} file(s) not clang-formatted:" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files ok ($("$cf" --version | head -1))"
