#include "dl_library.h"

#include <dlfcn.h>
#include <elf.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "bitnet/peers/peer_kernels.h"

namespace bitnet::peers {
namespace {

// Why `path` cannot be a shared library for this process, from its ELF header; empty when it can
// be. Checked before dlopen because dlerror()'s wording is not ours to rely on (a sanitizer
// runtime, another libc or the RTLD_DEEPBIND refusal below would word it differently), and the
// user must learn that the file is not a library, not just that loading failed.
std::string not_a_library_reason(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("cannot be opened: ") + std::strerror(errno);
  Elf64_Ehdr h{};
  in.read(reinterpret_cast<char*>(&h), sizeof h);
  const auto got = static_cast<size_t>(in.gcount());
  if (got < EI_NIDENT || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
    return "not a loadable library (no ELF header)";
  if (h.e_ident[EI_CLASS] != ELFCLASS64 || got < sizeof h)
    return "not a loadable library (not a 64-bit ELF file)";
#if defined(__x86_64__)
  constexpr uint16_t kMachine = EM_X86_64;
#elif defined(__aarch64__)
  constexpr uint16_t kMachine = EM_AARCH64;
#else
  constexpr uint16_t kMachine = 0;
#endif
  if (kMachine != 0 && h.e_machine != kMachine)
    return "not a loadable library (ELF for another CPU architecture, e_machine " +
           std::to_string(h.e_machine) + ")";
  if (h.e_type != ET_DYN) return "not a loadable library (ELF, but not a shared object)";
  return "";
}

}  // namespace

bool deep_bind_supported() {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#else
  return true;
#endif
}

DlLibrary::DlLibrary(const std::string& path, bool deep_bind) : path_(path) {
  if (const std::string why = not_a_library_reason(path); !why.empty())
    throw PeerError(path + ": cannot be loaded: " + why);
  int flags = RTLD_NOW | RTLD_LOCAL;
  if (deep_bind) {
    if (!deep_bind_supported())
      // The sanitizer runtime refuses RTLD_DEEPBIND (it would bypass its malloc interposition).
      throw PeerError(path + ": cannot be opened with RTLD_DEEPBIND in a sanitizer build");
    flags |= RTLD_DEEPBIND;
  }
  dlerror();
  handle_ = dlopen(path.c_str(), flags);
  if (handle_ == nullptr) {
    const char* e = dlerror();
    throw PeerError(path + ": cannot be loaded: " + (e ? e : "dlopen failed"));
  }
}

DlLibrary::~DlLibrary() {
  if (handle_) dlclose(handle_);
}

void* DlLibrary::optional_symbol(const char* name) const {
  dlerror();
  return dlsym(handle_, name);
}

void* DlLibrary::symbol(const char* name, const char* what) const {
  void* p = optional_symbol(name);
  if (p == nullptr)
    throw PeerError(path_ + ": symbol " + name + " not found (expected: " + what + ")");
  return p;
}

}  // namespace bitnet::peers
