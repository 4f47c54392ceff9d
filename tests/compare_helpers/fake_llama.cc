// A fake llama-bench / llama-cli for end-to-end tests without a real peer. Tests install it (a
// symlink or copy) as <dir>/llama-bench or <dir>/llama-cli and write <that path>.fake:
//   version=<text printed on stderr for --version>
//   stdout=<file replayed on stdout>      stderr=<file replayed on stderr>
//   exit=<status>                          mode=replay|segv|sleep|garbage (default replay)
//   sleep_ms=<for mode=sleep>              argv_log=<file that receives one argument per line>
//   version_exit=<status of --version (default 0)>  version_sleep_ms=<delay before answering it>
//   pid_file=<file that receives this process's pid (not for --version)>
//   help=<file printed on stdout for --help (exit 0); without it --help prints nothing>
//   mode=daemon: first fork a grandchild that calls setsid(), writes its pid to daemon_pid_file
//   and sleeps 120 s
//   mode=vanish: like daemon, but double-forked (the grandchild is orphaned at once) and the
//   grandchild execs /bin/sleep 120 with an empty environment (no token left to find it by);
//   it keeps our stdout and stderr open, as a careless daemon does
//   fault_file=<file>: before replaying, drop the file from the page cache (posix_fadvise
//   DONTNEED) and read it through a mapping, so the run takes major page faults as a peer
//   reading a model that is not resident does
// Each run appends its arguments to argv_log (then a "--" line), so tests can check the exact
// argument vector we launched.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

// This helper crashes with SIGSEGV on purpose; under ASan the runtime's SEGV handler would turn
// that into "exit 1". Compiled in (not ASAN_OPTIONS) so it holds when a test scrubs the
// environment; without ASan the function is simply unused.
extern "C" __attribute__((used)) const char* __asan_default_options() {
  return "handle_segv=0";
}

int main(int argc, char** argv) {
  const std::string cfg_path = std::string(argv[0]) + ".fake";
  std::ifstream cfg(cfg_path);
  if (!cfg) {
    std::fprintf(stderr, "fake_llama: no config file %s\n", cfg_path.c_str());
    return 70;
  }
  std::map<std::string, std::string> kv;
  for (std::string line; std::getline(cfg, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (!kv["argv_log"].empty()) {
    std::ofstream log(kv["argv_log"], std::ios::app);
    for (int i = 0; i < argc; ++i) log << argv[i] << "\n";
    log << "--\n";
  }
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--version") {
      if (kv.count("version_sleep_ms"))  // a peer that hangs in its version probe
        usleep(static_cast<useconds_t>(std::atol(kv["version_sleep_ms"].c_str())) * 1000);
      std::fprintf(stderr, "%s\n", kv["version"].c_str());
      std::fprintf(stderr,
                   "built with cc (Debian 12.2.0-14+deb12u1) 12.2.0 for x86_64-linux-gnu\n");
      return kv.count("version_exit") ? std::atoi(kv["version_exit"].c_str()) : 0;
    }
  }
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--help") {
      if (!kv["help"].empty()) {
        std::ifstream in(kv["help"], std::ios::binary);
        std::cout << in.rdbuf();
      }
      return 0;
    }
  }
  if (!kv["pid_file"].empty()) {
    std::ofstream(kv["pid_file"] + ".tmp") << getpid() << "\n";
    std::rename((kv["pid_file"] + ".tmp").c_str(), kv["pid_file"].c_str());
  }
  const std::string mode = kv.count("mode") ? kv["mode"] : "replay";
  auto replay = [](const std::string& path, std::ostream& os) {
    if (path.empty()) return;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "fake_llama: cannot read %s\n", path.c_str());
      std::exit(71);
    }
    os << in.rdbuf();
    os.flush();
  };
  if (!kv["fault_file"].empty()) {
    const int fd = open(kv["fault_file"].c_str(), O_RDONLY);
    struct stat st {};
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0) return 72;
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return 72;
    madvise(p, static_cast<size_t>(st.st_size), MADV_RANDOM);  // one fault per page, no readahead
    volatile unsigned sum = 0;
    for (off_t i = 0; i < st.st_size; i += 4096)
      sum = sum + static_cast<const unsigned char*>(p)[i];
    munmap(p, static_cast<size_t>(st.st_size));
    close(fd);
  }
  replay(kv["stderr"], std::cerr);
  if (mode == "segv") raise(SIGSEGV);
  if (mode == "sleep") usleep(static_cast<useconds_t>(std::atol(kv["sleep_ms"].c_str())) * 1000);
  if (mode == "daemon") {
    // A grandchild that leaves our process group and session, as a daemonising peer would.
    int p[2];
    if (pipe(p) != 0) return 70;
    const pid_t child = fork();
    if (child == 0) {
      setsid();
      std::ofstream(kv["daemon_pid_file"]) << getpid() << "\n";
      close(p[1]);  // tells the parent the pid file is written
      sleep(120);
      _exit(0);
    }
    close(p[1]);
    char c;
    [[maybe_unused]] ssize_t n = read(p[0], &c, 1);
  }
  if (mode == "vanish") {
    int p[2];
    if (pipe(p) != 0) return 70;
    const pid_t child = fork();
    if (child == 0) {
      setsid();
      if (fork() == 0) {
        std::ofstream(kv["daemon_pid_file"]) << getpid() << "\n";
        close(p[1]);
        char* const args[] = {const_cast<char*>("sleep"), const_cast<char*>("120"), nullptr};
        char* const no_env[] = {nullptr};
        execve("/bin/sleep", args, no_env);
        _exit(127);
      }
      close(p[1]);
      char c;
      [[maybe_unused]] ssize_t n = read(p[0], &c, 1);  // the pid file is written
      _exit(0);
    }
    close(p[1]);
    waitpid(child, nullptr, 0);
  }
  if (mode == "garbage") {
    std::cout << "llama-bench: \x01\x02 this is not json {]\n";
    return 0;
  }
  replay(kv["stdout"], std::cout);
  return kv.count("exit") ? std::atoi(kv["exit"].c_str()) : 0;
}
