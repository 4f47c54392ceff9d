// Launching a peer program safely: an argument vector (never a shell string), its own process
// group, captured stdout/stderr, a wall-clock timeout, SIGTERM then SIGKILL to the whole group,
// and Ctrl-C forwarding (the child sits in its own group, so the terminal's SIGINT reaches only
// us).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bitnet::compare {

struct RunOptions {
  std::vector<std::string>
      argv;  // argv[0] is the executable path, run as is (execv, no PATH lookup)
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  std::chrono::milliseconds kill_grace{std::chrono::seconds(3)};  // SIGTERM → SIGKILL after this
  std::string stdin_path = "/dev/null";  // peers must never wait for a terminal
  size_t max_capture_bytes = 16u << 20;  // per stream; beyond it the oldest bytes are dropped
  std::optional<std::vector<std::string>>
      env;  // "K=V" entries replacing the environment; unset: inherit
};

enum class RunStatus {
  kExited,       // exited on its own; see exit_code
  kSignaled,     // killed by a signal it did not get from us (a crash: SIGSEGV, SIGABRT, ...)
  kTimedOut,     // we killed it because the timeout passed
  kInterrupted,  // we killed it because the user pressed Ctrl-C (or SIGTERM reached us)
  kSpawnFailed,  // fork/exec failed; see spawn_error
};

struct RunResult {
  RunStatus status = RunStatus::kSpawnFailed;
  int exit_code = -1;  // kExited only
  int signal = 0;      // kSignaled: the fatal signal; kTimedOut/kInterrupted: what ended it
  bool escalated_to_sigkill = false;  // SIGTERM was not enough
  std::string stdout_text;
  std::string stderr_text;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  double wall_seconds = 0;
  // Major page faults of the process (wait4's rusage: faults that read from disk, its own, not
  // its children's); -1 when it was not reaped (spawn failure).
  long major_faults = -1;
  std::string spawn_error;

  bool ok() const { return status == RunStatus::kExited && exit_code == 0; }
};

// Runs argv[0] with argv. Never throws for child failures; every outcome is in RunResult.
RunResult run_process(const RunOptions& opts);

// One line for a status: "exited with status 1", "crashed with SIGSEGV (signal 11)", ...
std::string describe_status(const RunResult& r);
// Multi-line failure report: what ran, how it ended, the notable stderr lines and the log's tail.
std::string describe_failure(const RunResult& r, const std::vector<std::string>& argv,
                             size_t tail_lines = 15);
// The last `n` lines of `text` (without a trailing empty line).
std::string tail_lines(std::string_view text, size_t n);
// Shell-style quoting of an argv for messages only (never executed).
std::string quote_argv(const std::vector<std::string>& argv);

// Ctrl-C handling: install_interrupt_handlers() routes SIGINT/SIGTERM/SIGHUP to a flag that
// run_process watches; the running child's group is then killed and kInterrupted returned.
void install_interrupt_handlers();
void request_interrupt();  // async-signal-safe; what the handler calls (tests call it directly)
bool interrupt_requested();
void clear_interrupt();

}  // namespace bitnet::compare
