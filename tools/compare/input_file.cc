#include "bitnet/compare/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "bitnet/compare/peer_runner.h"

namespace bitnet::compare {

std::string read_input_file(const std::string& path, uint64_t max_bytes) {
  auto fail = [&](const std::string& why) {
    return CompareError(kExitInput, fmt::format("cannot read '{}': {}", path, why));
  };
  // O_NONBLOCK: opening a FIFO with no writer would otherwise block forever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw fail(std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw fail(std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    throw fail(S_ISFIFO(st.st_mode)  ? "a FIFO, not a regular file"
               : S_ISDIR(st.st_mode) ? "a directory, not a regular file"
                                     : "not a regular file (a device or socket)");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    throw fail(
        fmt::format("{} bytes, more than the {} bytes this tool reads", st.st_size, max_bytes));
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(std::strerror(errno));
    if (n == 0) break;  // shrank while we read
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace bitnet::compare
