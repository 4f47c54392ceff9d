#include "dl_library.h"

#include <dlfcn.h>

#include "bitnet/peers/peer_kernels.h"

namespace bitnet::peers {

bool deep_bind_supported() {
#if defined(__SANITIZE_ADDRESS__)
  return false;
#else
  return true;
#endif
}

DlLibrary::DlLibrary(const std::string& path, bool deep_bind) : path_(path) {
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
