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
#include <set>
#include <string>

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

}  // namespace

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
