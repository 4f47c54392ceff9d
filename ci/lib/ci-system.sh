# shellcheck shell=bash
# Which CI system runs us, and how to publish a report there.
#   bb_ci_system                    github | gitlab | jenkins | generic
#   bb_publish_summary MD_FILE      GitHub: append to $GITHUB_STEP_SUMMARY; others: say where it is
#   bb_publish_outputs K=V...       GitHub: append to $GITHUB_OUTPUT (no-op elsewhere)

bb_ci_system() {
  if [[ "${GITHUB_ACTIONS:-}" == true ]]; then
    echo github
  elif [[ "${GITLAB_CI:-}" == true ]]; then
    echo gitlab
  elif [[ -n "${JENKINS_URL:-}" || -n "${JENKINS_HOME:-}" ]]; then
    echo jenkins
  else
    echo generic
  fi
}

bb_publish_summary() {
  local md=$1
  [[ -f "$md" ]] || return 0
  case "$(bb_ci_system)" in
    github)
      if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
        cat "$md" >>"$GITHUB_STEP_SUMMARY"
        bb_log "job summary: appended $md to \$GITHUB_STEP_SUMMARY"
      fi
      ;;
    gitlab) bb_log "GitLab: keep $md as an artifact (and the metrics file as artifacts:reports:metrics)" ;;
    jenkins) bb_log "Jenkins: archive $md; the JUnit file next to it feeds the junit step" ;;
    *) bb_log "report: $md" ;;
  esac
}

bb_publish_outputs() {
  [[ "$(bb_ci_system)" == github && -n "${GITHUB_OUTPUT:-}" ]] || return 0
  local kv
  for kv in "$@"; do printf '%s\n' "$kv" >>"$GITHUB_OUTPUT"; done
}
