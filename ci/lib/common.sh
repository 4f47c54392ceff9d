# shellcheck shell=bash
# Shared shell helpers for ci/ and tools/ scripts (bash). Source it; it defines functions only.
#   bb_log / bb_warn / bb_die   messages on stderr, prefixed with the script name
#   bb_run CMD...               runs CMD, or only prints it when BB_DRY_RUN=1
#   bb_repo_root                absolute path of the checkout
#   bb_quote CMD...             the command as one shell-quoted line (for logs and dry runs)

: "${BB_DRY_RUN:=0}"
BB_NAME=${BB_NAME:-$(basename "${0:-bitnet}")}

bb_log() { printf '%s: %s\n' "$BB_NAME" "$*" >&2; }
bb_warn() { printf '%s: warning: %s\n' "$BB_NAME" "$*" >&2; }
bb_die() {
  printf '%s: error: %s\n' "$BB_NAME" "$*" >&2
  exit "${BB_DIE_STATUS:-2}"
}

bb_quote() {
  local out="" a
  for a in "$@"; do out+="${out:+ }$(printf '%q' "$a")"; done
  printf '%s\n' "$out"
}

bb_run() {
  if [[ "$BB_DRY_RUN" == 1 ]]; then
    printf '[dry-run] %s\n' "$(bb_quote "$@")"
    return 0
  fi
  printf '+ %s\n' "$(bb_quote "$@")" >&2
  "$@"
}

bb_repo_root() { (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd); }

# UTC timestamp usable in file names, e.g. 20261126T180000Z.
bb_stamp() { date -u +%Y%m%dT%H%M%SZ; }

# Short commit of the checkout, or "unknown" outside git.
bb_commit() { git -C "$(bb_repo_root)" rev-parse --short=12 HEAD 2>/dev/null || echo unknown; }

# JSON string literal of $1 (quotes, backslashes and control characters escaped).
bb_json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\t'/\\t}
  s=${s//$'\r'/\\r}
  printf '"%s"' "$s"
}
