// A child process with one scripted behaviour per mode, for the process-runner tests:
//   print FILE          copy FILE to stdout, exit 0
//   exit N              a line on stderr, exit N
//   segv                crash with SIGSEGV
//   sleep MS            sleep (to be killed by the timeout)
//   ignore_term MS      ignore SIGTERM and sleep (the runner must escalate to SIGKILL)
//   grandchild FILE MS  fork a child that writes its pid to FILE and sleeps; both sleep MS
//   garbage N           N pseudo-random bytes on stdout, exit 0
//   big N               N bytes on stdout and N on stderr (checks no pipe deadlock)
//   args                each argument on its own line
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

namespace {
void sleep_ms(long ms) {
  const long step = 10;
  for (long t = 0; t < ms; t += step) usleep(step * 1000);
}
}  // namespace

// This helper crashes with SIGSEGV on purpose; under ASan the runtime's SEGV handler would turn
// that into "exit 1". Compiled in (not ASAN_OPTIONS) so it holds when a test scrubs the
// environment; without ASan the function is simply unused.
extern "C" __attribute__((used)) const char* __asan_default_options() {
  return "handle_segv=0";
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: proc_helper MODE [ARGS]\n");
    return 64;
  }
  const std::string mode = argv[1];
  auto arg = [&](int i) -> std::string {
    if (i >= argc) {
      std::fprintf(stderr, "proc_helper %s: missing argument %d\n", mode.c_str(), i);
      std::exit(64);
    }
    return argv[i];
  };
  if (mode == "print") {
    std::ifstream in(arg(2), std::ios::binary);
    if (!in) return 66;
    std::cout << in.rdbuf();
    return 0;
  }
  if (mode == "exit") {
    std::fprintf(stderr, "proc_helper: loading...\nproc_helper: error: something went wrong\n");
    return std::atoi(arg(2).c_str());
  }
  if (mode == "segv") {
    std::fprintf(stderr, "proc_helper: about to crash\n");
    std::fflush(stderr);
    raise(SIGSEGV);
    return 0;
  }
  if (mode == "sleep") {
    sleep_ms(std::atol(arg(2).c_str()));
    return 0;
  }
  if (mode == "ignore_term") {
    signal(SIGTERM, SIG_IGN);
    std::fprintf(stderr, "proc_helper: ignoring SIGTERM\n");
    std::fflush(stderr);
    sleep_ms(std::atol(arg(2).c_str()));
    return 0;
  }
  if (mode == "grandchild") {
    const std::string file = arg(2);
    const long ms = std::atol(arg(3).c_str());
    pid_t pid = fork();
    if (pid == 0) {
      std::ofstream(file + ".tmp") << getpid() << "\n";
      std::rename((file + ".tmp").c_str(), file.c_str());
      sleep_ms(ms);
      _exit(0);
    }
    sleep_ms(ms);
    return 0;
  }
  if (mode == "garbage") {
    unsigned x = 12345;
    const long n = std::atol(arg(2).c_str());
    for (long i = 0; i < n; ++i) {
      x = x * 1103515245u + 12345u;
      std::putchar(static_cast<int>((x >> 16) & 0xff));
    }
    return 0;
  }
  if (mode == "big") {
    const long n = std::atol(arg(2).c_str());
    std::string line(99, 'x');
    line += '\n';
    for (long i = 0; i < n; i += 100) {
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
    return 0;
  }
  if (mode == "args") {
    for (int i = 2; i < argc; ++i) std::printf("%s\n", argv[i]);
    return 0;
  }
  std::fprintf(stderr, "proc_helper: unknown mode '%s'\n", mode.c_str());
  return 64;
}
