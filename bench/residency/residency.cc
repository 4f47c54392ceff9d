#include "bitnet/bench/residency.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace bitnet::bench {
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Per page: resident or not (mincore of a fresh mapping); empty when unknown.
std::vector<unsigned char> residency(int fd, size_t size) {
  if (size == 0) return {};
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return {};
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((size + page - 1) / page);
  const int rc = ::mincore(p, size, vec.data());
  ::munmap(p, size);
  if (rc != 0) vec.clear();
  return vec;
}

}  // namespace

double resident_fraction(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st {};
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0) return -1;
  if (st.st_size == 0) return 1;
  const auto vec = residency(f.fd, static_cast<size_t>(st.st_size));
  if (vec.empty()) return -1;
  size_t in = 0;
  for (unsigned char v : vec) in += v & 1;
  return static_cast<double>(in) / static_cast<double>(vec.size());
}

void make_resident(const std::string& path) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st {};
  if (f.fd < 0 || ::fstat(f.fd, &st) != 0)
    throw std::runtime_error(path + ": cannot open to make it resident: " + std::strerror(errno));
  // Pages under writeback (a model just generated) are written out first.
  if (::fdatasync(f.fd) != 0 && errno != EINVAL)
    throw std::runtime_error(path + ": fdatasync: " + std::strerror(errno));
  const size_t size = static_cast<size_t>(st.st_size);
  const auto vec = residency(f.fd, size);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<char> buf(page);
  const size_t pages = (size + page - 1) / page;
  for (size_t i = 0; i < pages; ++i) {
    if (!vec.empty() && (vec[i] & 1)) continue;
    // Read whole runs of missing pages at once.
    size_t j = i + 1;
    while (j < pages && (vec.empty() || !(vec[j] & 1)) && (j - i) < 256) ++j;
    const size_t bytes = std::min(size - i * page, (j - i) * page);
    if (buf.size() < bytes) buf.resize(bytes);
    if (::pread(f.fd, buf.data(), bytes, static_cast<off_t>(i * page)) < 0)
      throw std::runtime_error(path + ": read: " + std::strerror(errno));
    i = j - 1;
  }
}

long major_faults() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_majflt;
}

}  // namespace bitnet::bench
