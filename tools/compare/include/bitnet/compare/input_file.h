// Reading a file named on the command line without trusting what it is: a FIFO, a device such as
// /dev/zero, or a huge file must give a clear error, not a hang or an out-of-memory abort; a
// line-oriented file is streamed, never held whole.
#pragma once

#include <cstdint>
#include <istream>
#include <streambuf>
#include <string>
#include <vector>

namespace bitnet::compare {

// Peer output and result files are kilobytes to a few MB; this leaves a wide margin.
inline constexpr uint64_t kMaxInputFileBytes = 256ull << 20;

// Contents of the regular file `path`, at most `max_bytes` long. Opens without blocking (a FIFO
// is refused, not waited on). Throws CompareError(kExitInput) naming the file and the reason.
std::string read_input_file(const std::string& path, uint64_t max_bytes = kMaxInputFileBytes);

// The longest line a streamed reader accepts (llama-bench prints lines of about 1 KB).
inline constexpr size_t kMaxInputLineBytes = 16u << 20;

// The same file read as a stream, so memory does not grow with its size: one buffer of 64 KiB
// and the current line. Opens with the checks of read_input_file (no size limit: nothing is
// held), throwing CompareError(kExitUsage) naming the file and the reason.
class InputStream : private std::streambuf {
 public:
  explicit InputStream(const std::string& path, size_t max_line = kMaxInputLineBytes);
  ~InputStream() override;
  InputStream(const InputStream&) = delete;
  InputStream& operator=(const InputStream&) = delete;

  const std::string& path() const { return path_; }
  // Skips a UTF-8 byte order mark and leading blank lines; returns the first character that
  // follows (the rest of its line stays unread), or -1 for a file with nothing else.
  int first_non_blank();
  // The next line without its '\n' (and without a '\r' before it); false at the end. Throws
  // CompareError(kExitUsage) "<path>: line N is longer than M bytes" past max_line.
  bool next_line(std::string& line);
  // 1-based number of the line next_line returned last (first_non_blank leaves the rest of its
  // line for next_line, which counts it).
  size_t line_number() const { return line_; }
  // The unread rest as a std::istream (for a streaming JSON parse); bytes_read() counts from the
  // start of the file.
  std::istream& stream() { return stream_; }
  uint64_t bytes_read() const { return consumed_ + static_cast<uint64_t>(gptr() - eback()); }

 private:
  int_type underflow() override;

  std::string path_;
  size_t max_line_;
  int fd_ = -1;
  std::vector<char> buf_;
  uint64_t consumed_ = 0;  // bytes before the current buffer
  size_t line_ = 0;
  std::string pending_;  // blanks first_non_blank consumed from the line it stopped in
  std::istream stream_{this};
};

}  // namespace bitnet::compare
