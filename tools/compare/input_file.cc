#include "bitnet/compare/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "bitnet/compare/peer_runner.h"

namespace bitnet::compare {

namespace {

CompareError cannot_read(const std::string& path, const std::string& why) {
  return CompareError(kExitInput, fmt::format("cannot read '{}': {}", path, why));
}

// Opens `path` for reading if it is a regular file; its size in `size`.
int open_regular(const std::string& path, uint64_t& size) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise block forever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw cannot_read(path, std::strerror(errno));
  struct stat st {};
  const char* why = nullptr;
  if (::fstat(fd, &st) != 0)
    why = std::strerror(errno);
  else if (!S_ISREG(st.st_mode))
    why = S_ISFIFO(st.st_mode)  ? "a FIFO, not a regular file"
          : S_ISDIR(st.st_mode) ? "a directory, not a regular file"
                                : "not a regular file (a device or socket)";
  if (why) {
    ::close(fd);
    throw cannot_read(path, why);
  }
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

}  // namespace

std::string read_input_file(const std::string& path, uint64_t max_bytes) {
  auto fail = [&](const std::string& why) { return cannot_read(path, why); };
  uint64_t size = 0;
  const int fd = open_regular(path, size);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (size > max_bytes)
    throw fail(fmt::format("{} bytes, more than the {} bytes this tool reads", size, max_bytes));
  std::string out(static_cast<size_t>(size), '\0');
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

InputStream::InputStream(const std::string& path, size_t max_line)
    : path_(path), max_line_(max_line), buf_(64 << 10) {
  uint64_t size = 0;
  fd_ = open_regular(path, size);
  setg(buf_.data(), buf_.data(), buf_.data());
}

InputStream::~InputStream() {
  if (fd_ >= 0) ::close(fd_);
}

InputStream::int_type InputStream::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  consumed_ += static_cast<uint64_t>(egptr() - eback());
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw cannot_read(path_, std::strerror(errno));
    setg(buf_.data(), buf_.data(), buf_.data() + n);
    return n == 0 ? traits_type::eof() : traits_type::to_int_type(buf_[0]);
  }
}

int InputStream::first_non_blank() {
  static constexpr unsigned char kBom[] = {0xEF, 0xBB, 0xBF};
  // A byte order mark is three bytes at the very start; a partial one is left as data.
  if (sgetc() == kBom[0] && egptr() - gptr() >= 3 &&
      static_cast<unsigned char>(gptr()[1]) == kBom[1] &&
      static_cast<unsigned char>(gptr()[2]) == kBom[2])
    gbump(3);
  pending_.clear();
  line_ = 1;
  for (;;) {
    const int_type c = sgetc();
    if (traits_type::eq_int_type(c, traits_type::eof())) return -1;
    const char ch = traits_type::to_char_type(c);
    if (ch == '\n') {
      pending_.clear();
      ++line_;
    } else if (ch == ' ' || ch == '\t' || ch == '\r') {
      pending_ += ch;
    } else {
      --line_;  // next_line counts the line it returns
      return static_cast<unsigned char>(ch);
    }
    sbumpc();
  }
}

bool InputStream::next_line(std::string& line) {
  line = std::move(pending_);
  pending_.clear();
  bool any = !line.empty();
  for (;;) {
    if (gptr() == egptr() && traits_type::eq_int_type(underflow(), traits_type::eof())) break;
    any = true;
    const char* b = gptr();
    const char* nl = static_cast<const char*>(std::memchr(b, '\n', egptr() - b));
    const char* e = nl ? nl : egptr();
    if (line.size() + static_cast<size_t>(e - b) > max_line_)
      throw CompareError(kExitInput, fmt::format("{}: line {} is longer than {} bytes", path_,
                                                 line_ + 1, max_line_));
    line.append(b, e);
    gbump(static_cast<int>(e - b + (nl ? 1 : 0)));
    if (nl) break;
  }
  if (!any) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  ++line_;
  return true;
}

}  // namespace bitnet::compare
