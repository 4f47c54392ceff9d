#include "bitnet/compare/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "bitnet/compare/leftovers.h"

namespace bitnet::compare {
namespace {

using Clock = std::chrono::steady_clock;

volatile sig_atomic_t g_interrupted = 0;
int g_wake_pipe[2] = {-1, -1};  // written by request_interrupt() so poll() wakes at once
std::once_flag g_wake_once;

void make_wake_pipe() {
  if (pipe2(g_wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_wake_pipe[0] = g_wake_pipe[1] = -1;
}

void on_signal(int) {
  request_interrupt();
}

void drain_wake_pipe() {
  char buf[64];
  if (g_wake_pipe[0] >= 0)
    while (read(g_wake_pipe[0], buf, sizeof buf) > 0) {
    }
}

// Appends to a capture buffer, keeping only the newest `cap` bytes (the tail holds the error).
void append_capped(std::string& dst, const char* p, size_t n, size_t cap, bool& truncated) {
  dst.append(p, n);
  if (dst.size() > cap) {
    dst.erase(0, dst.size() - cap);
    truncated = true;
  }
}

// Reads what is available now; returns false at EOF or on a hard error.
bool read_available(int fd, std::string& dst, size_t cap, bool& truncated) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      append_capped(dst, buf, static_cast<size_t>(n), cap, truncated);
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

}  // namespace

void install_interrupt_handlers() {
  std::call_once(g_wake_once, make_wake_pipe);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: let poll() return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

void request_interrupt() {
  g_interrupted = 1;
  if (g_wake_pipe[1] >= 0) {
    const char c = 'x';
    [[maybe_unused]] ssize_t n = write(g_wake_pipe[1], &c, 1);
  }
}

bool interrupt_requested() {
  return g_interrupted != 0;
}

void clear_interrupt() {
  g_interrupted = 0;
  drain_wake_pipe();
}

RunResult run_process(const RunOptions& opts) {
  std::call_once(g_wake_once, make_wake_pipe);
  RunResult r;
  if (opts.argv.empty()) {
    r.spawn_error = "empty argument vector";
    return r;
  }
  // Everything the child needs is prepared before fork(): after fork only async-signal-safe calls.
  std::vector<char*> cargv;
  for (const auto& a : opts.argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  // The peer's environment carries a token, so whatever it leaves running can be found.
  become_child_subreaper();
  const std::string token_entry = std::string(kRunTokenVariable) + "=" + make_run_token();
  std::vector<char*> cenv;
  if (opts.env) {
    for (const auto& e : *opts.env) cenv.push_back(const_cast<char*>(e.c_str()));
  } else {
    for (char** e = environ; *e; ++e)
      if (std::strncmp(*e, kRunTokenVariable, std::strlen(kRunTokenVariable)) != 0)
        cenv.push_back(*e);
  }
  cenv.push_back(const_cast<char*>(token_entry.c_str()));
  cenv.push_back(nullptr);

  int out_p[2], err_p[2], exec_p[2];
  if (pipe2(out_p, O_CLOEXEC) != 0 || pipe2(err_p, O_CLOEXEC) != 0 ||
      pipe2(exec_p, O_CLOEXEC) != 0) {
    r.spawn_error = fmt::format("pipe: {}", std::strerror(errno));
    return r;
  }
  Fd out_r(out_p[0]), out_w(out_p[1]), err_r(err_p[0]), err_w(err_p[1]), exec_r(exec_p[0]),
      exec_w(exec_p[1]);
  Fd in_fd(open(opts.stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (in_fd.fd < 0) {
    r.spawn_error =
        fmt::format("cannot open stdin file '{}': {}", opts.stdin_path, std::strerror(errno));
    return r;
  }

  const auto t0 = Clock::now();
  std::unique_lock<std::mutex> spawn_lock(peer_spawn_mutex());
  pid_t pid = fork();
  if (pid > 0) note_peer_started(pid);
  if (pid != 0) spawn_lock.unlock();
  if (pid < 0) {
    r.spawn_error = fmt::format("fork: {}", std::strerror(errno));
    return r;
  }
  if (pid == 0) {
    setpgid(0, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dup2(in_fd.fd, 0) < 0 || dup2(out_w.fd, 1) < 0 || dup2(err_w.fd, 2) < 0) {
      int e = errno;
      [[maybe_unused]] ssize_t n = write(exec_w.fd, &e, sizeof e);
      _exit(127);
    }
    execve(cargv[0], cargv.data(), cenv.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = write(exec_w.fd, &e, sizeof e);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so the group exists before we might signal it
  // Read while the child exists (a zombie at worst): what it starts after this may be left over.
  const long long started = process_start_ticks(pid);
  out_w.reset();
  err_w.reset();
  exec_w.reset();
  in_fd.reset();

  int exec_errno = 0;
  ssize_t got;
  do {
    got = read(exec_r.fd, &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    note_peer_reaped(pid);
    r.spawn_error = fmt::format("cannot execute '{}': {}", opts.argv[0], std::strerror(exec_errno));
    return r;
  }

  fcntl(out_r.fd, F_SETFL, O_NONBLOCK);
  fcntl(err_r.fd, F_SETFL, O_NONBLOCK);
  bool out_open = true, err_open = true;
  const auto deadline = t0 + opts.timeout;
  bool reaped = false;
  int wstatus = 0;
  enum class Kill { kNone, kTimeout, kInterrupt } kill_reason = Kill::kNone;
  Clock::time_point term_sent{};
  Clock::time_point reaped_at{};

  auto pump = [&](int timeout_ms) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1;
    if (out_open) out_i = n, fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_open) err_i = n, fds[n++] = {err_r.fd, POLLIN, 0};
    if (g_wake_pipe[0] >= 0) fds[n++] = {g_wake_pipe[0], POLLIN, 0};
    int rc = poll(fds, n, timeout_ms);
    if (rc <= 0) return;
    if (out_i >= 0 && fds[out_i].revents)
      out_open =
          read_available(out_r.fd, r.stdout_text, opts.max_capture_bytes, r.stdout_truncated);
    if (err_i >= 0 && fds[err_i].revents)
      err_open =
          read_available(err_r.fd, r.stderr_text, opts.max_capture_bytes, r.stderr_truncated);
  };

  for (;;) {
    if (!reaped) {
      rusage ru{};
      pid_t w = wait4(pid, &wstatus, WNOHANG, &ru);
      if (w == pid) {
        r.major_faults = ru.ru_majflt;
        note_peer_reaped(pid);
        reaped = true;
        reaped_at = Clock::now();
      }
    }
    // Done when the child is gone and its pipes are closed, or shortly after it is gone (a stray
    // grandchild holding the pipes must not keep us waiting; the group is killed below).
    if (reaped &&
        ((!out_open && !err_open) || Clock::now() - reaped_at > std::chrono::milliseconds(500)))
      break;
    const auto now = Clock::now();
    if (!reaped && kill_reason == Kill::kNone) {
      if (interrupt_requested())
        kill_reason = Kill::kInterrupt;
      else if (now >= deadline)
        kill_reason = Kill::kTimeout;
      if (kill_reason != Kill::kNone) {
        kill(-pid, SIGTERM);
        term_sent = now;
      }
    }
    if (!reaped && kill_reason != Kill::kNone && !r.escalated_to_sigkill &&
        now - term_sent >= opts.kill_grace) {
      kill(-pid, SIGKILL);
      r.escalated_to_sigkill = true;
    }
    pump(out_open || err_open ? 20 : 5);
    if (!out_open && !err_open && !reaped) {
      // Pipes closed but the child lives on: wait without spinning.
      usleep(2000);
    }
  }
  kill(-pid, SIGKILL);  // leftovers of the group, if any (ESRCH otherwise)
  // ... and those that left the group (setsid) but still carry the run's token.
  kill_leftovers(token_entry.substr(token_entry.find('=') + 1));
  // ... and orphans reparented to us (setsid and a cleared environment escape both of the above).
  if (started >= 0) kill_orphans(started);
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  if (kill_reason != Kill::kNone) {
    r.status = kill_reason == Kill::kTimeout ? RunStatus::kTimedOut : RunStatus::kInterrupted;
    r.signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
    if (WIFEXITED(wstatus)) r.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    r.status = RunStatus::kSignaled;
    r.signal = WTERMSIG(wstatus);
  } else {
    r.status = RunStatus::kExited;
    r.exit_code = WEXITSTATUS(wstatus);
  }
  return r;
}

std::string describe_status(const RunResult& r) {
  auto sig = [](int s) { return fmt::format("signal {} ({})", s, strsignal(s)); };
  switch (r.status) {
    case RunStatus::kExited:
      return fmt::format("exited with status {}", r.exit_code);
    case RunStatus::kSignaled:
      return fmt::format("crashed: killed by {}", sig(r.signal));
    case RunStatus::kTimedOut:
      return fmt::format(
          "timed out after {:.1f} s; process group killed with {}", r.wall_seconds,
          r.escalated_to_sigkill ? "SIGTERM, then SIGKILL (SIGTERM was ignored)" : "SIGTERM");
    case RunStatus::kInterrupted:
      return fmt::format("interrupted by the user; process group killed with {}",
                         r.escalated_to_sigkill ? "SIGTERM, then SIGKILL" : "SIGTERM");
    case RunStatus::kSpawnFailed:
      return "could not be started: " + r.spawn_error;
  }
  return "unknown status";
}

std::string tail_lines(std::string_view text, size_t n) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (n == 0) return {};
  size_t pos = text.size();
  size_t found = 0;
  while (pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string_view::npos) return std::string(text);
    if (++found == n) return std::string(text.substr(nl + 1));
    pos = nl;
  }
  return std::string(text);
}

std::string quote_argv(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      s += a;
    } else {
      s += '\'';
      for (char c : a) s += c == '\'' ? std::string("'\\''") : std::string(1, c);
      s += '\'';
    }
  }
  return s;
}

std::string describe_failure(const RunResult& r, const std::vector<std::string>& argv,
                             size_t tail_n) {
  std::string msg = fmt::format("`{}` {}\n", quote_argv(argv), describe_status(r));
  const std::string& log = r.stderr_text.empty() ? r.stdout_text : r.stderr_text;
  const char* which = r.stderr_text.empty() ? "stdout" : "stderr";
  if (log.empty()) {
    if (r.status != RunStatus::kSpawnFailed) msg += "(it printed nothing)\n";
    return msg;
  }
  // Lines that usually carry the cause, so the reader need not dig through a 100-line load log.
  std::string notable;
  size_t count = 0;
  size_t start = 0;
  while (start < log.size() && count < 8) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    std::string_view line(log.data() + start, end - start);
    std::string lower(line);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char* key : {"error", "failed", "assert", "abort", "terminate", "exception",
                            "invalid", "unknown argument", "not found", "cannot", "unable"}) {
      if (lower.find(key) != std::string::npos) {
        notable += fmt::format("  {}\n", line);
        ++count;
        break;
      }
    }
    start = end + 1;
  }
  if (!notable.empty()) msg += fmt::format("notable {} lines:\n{}", which, notable);
  msg += fmt::format("last {} lines of {}{}:\n", tail_n, which,
                     (r.stderr_text.empty() ? r.stdout_truncated : r.stderr_truncated)
                         ? " (log truncated at the start)"
                         : "");
  std::string tail = tail_lines(log, tail_n);
  size_t s = 0;
  while (s <= tail.size()) {
    size_t e = tail.find('\n', s);
    if (e == std::string::npos) e = tail.size();
    msg += fmt::format("  | {}\n", std::string_view(tail).substr(s, e - s));
    s = e + 1;
  }
  return msg;
}

}  // namespace bitnet::compare
