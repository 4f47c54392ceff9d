#include "bitnet/compare/leftovers.h"

#include <dirent.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace bitnet::compare {

std::string make_run_token() {
  static std::atomic<unsigned> counter{0};
  const auto ns = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::to_string(getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(ns);
}

void become_child_subreaper() {
#ifdef PR_SET_CHILD_SUBREAPER
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
}

namespace {

bool environ_has(pid_t pid, const std::string& entry) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
  if (!in) return false;  // gone, or not ours to read
  const std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = 0;
  while (start < env.size()) {
    size_t end = env.find('\0', start);
    if (end == std::string::npos) end = env.size();
    if (env.compare(start, end - start, entry) == 0) return true;
    start = end + 1;
  }
  return false;
}

struct ProcStat {
  pid_t pid = 0, ppid = 0, pgid = 0;
  long long start_ticks = -1;
};

// /proc/<pid>/stat: "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt
// cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime ..."; comm may
// hold spaces and parentheses, so the fields are counted from the last ')'.
bool read_stat(pid_t pid, ProcStat& out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::vector<std::string> f;  // f[0] is the state (field 3)
  size_t i = close + 1;
  while (i < line.size() && f.size() < 20) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t j = line.find(' ', i);
    f.push_back(line.substr(i, j == std::string::npos ? std::string::npos : j - i));
    if (j == std::string::npos) break;
    i = j;
  }
  if (f.size() < 20) return false;
  out.pid = pid;
  out.ppid = static_cast<pid_t>(std::atol(f[1].c_str()));
  out.pgid = static_cast<pid_t>(std::atol(f[2].c_str()));
  out.start_ticks = std::atoll(f[19].c_str());
  return true;
}

std::vector<ProcStat> all_processes() {
  std::vector<ProcStat> out;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    const long pid = std::strtol(e->d_name, &end, 10);
    if (!end || *end != '\0' || pid <= 0) continue;
    ProcStat s;
    if (read_stat(static_cast<pid_t>(pid), s)) out.push_back(s);
  }
  closedir(d);
  return out;
}

std::set<pid_t>& running_peers() {
  static std::set<pid_t> s;
  return s;
}

}  // namespace

std::mutex& peer_spawn_mutex() {
  static std::mutex m;
  return m;
}

void note_peer_started(pid_t pid) {
  running_peers().insert(pid);
}

void note_peer_reaped(pid_t pid) {
  std::lock_guard<std::mutex> lock(peer_spawn_mutex());
  running_peers().erase(pid);
}

long long process_start_ticks(pid_t pid) {
  ProcStat s;
  return read_stat(pid, s) ? s.start_ticks : -1;
}

int kill_orphans(long long since_ticks) {
  const pid_t self = getpid();
  const pid_t own_group = getpgrp();
  std::set<pid_t> killed;
  for (int round = 0; round < 50; ++round) {
    std::vector<pid_t> targets;
    {
      std::lock_guard<std::mutex> lock(peer_spawn_mutex());
      const std::vector<ProcStat> procs = all_processes();
      std::multimap<pid_t, pid_t> children;
      for (const ProcStat& p : procs) children.emplace(p.ppid, p.pid);
      for (const ProcStat& p : procs) {
        if (p.ppid != self || p.pgid == own_group || running_peers().count(p.pid) ||
            p.start_ticks < since_ticks)
          continue;
        // The orphan and its whole subtree (those still have their own parents).
        std::vector<pid_t> stack{p.pid};
        while (!stack.empty()) {
          const pid_t q = stack.back();
          stack.pop_back();
          targets.push_back(q);
          auto [b, e] = children.equal_range(q);
          for (auto it = b; it != e; ++it) stack.push_back(it->second);
        }
      }
    }
    if (targets.empty()) break;
    std::vector<pid_t> signalled;
    for (pid_t q : targets)
      if (kill(q, SIGKILL) == 0) signalled.push_back(q), killed.insert(q);
    if (signalled.empty()) break;  // none we may signal: waiting on them would never end
    // Our children (the orphans; their descendants once reparented, next round) are reaped here,
    // or they stay zombies. waitpid on one that is not our child returns at once.
    for (pid_t q : signalled) {
      int st;
      waitpid(q, &st, 0);
    }
  }
  return static_cast<int>(killed.size());
}

int kill_leftovers(const std::string& token) {
  const std::string entry = std::string(kRunTokenVariable) + "=" + token;
  const pid_t self = getpid();
  int killed = 0;
  std::set<pid_t> seen;
  for (int round = 0; round < 50; ++round) {
    int found = 0;
    DIR* d = opendir("/proc");
    if (!d) return killed;
    while (dirent* e = readdir(d)) {
      char* end = nullptr;
      const long pid = std::strtol(e->d_name, &end, 10);
      if (!end || *end != '\0' || pid <= 0 || pid == self) continue;
      if (!environ_has(static_cast<pid_t>(pid), entry)) continue;
      ++found;
      if (kill(static_cast<pid_t>(pid), SIGKILL) == 0 && seen.insert(pid).second) ++killed;
      // Ours after reparenting (we are a subreaper): reap it, or it stays a zombie.
      int st;
      waitpid(static_cast<pid_t>(pid), &st, 0);
    }
    closedir(d);
    if (found == 0) break;
  }
  return killed;
}

}  // namespace bitnet::compare
