// An opened shared library (dlopen/dlsym) whose errors name the file, the symbol and what the
// caller expected it to be.
#pragma once

#include <string>

namespace bitnet::peers {

class DlLibrary {
 public:
  // Opens `path` with RTLD_NOW | RTLD_LOCAL (| RTLD_DEEPBIND when deep_bind). Throws PeerError
  // "<path>: cannot be loaded: not a loadable library (<why>)" when its ELF header is not a
  // shared object for this CPU, else with dlerror()'s text and the path.
  DlLibrary(const std::string& path, bool deep_bind);
  ~DlLibrary();
  DlLibrary(const DlLibrary&) = delete;
  DlLibrary& operator=(const DlLibrary&) = delete;

  const std::string& path() const { return path_; }
  // The symbol's address; throws PeerError "<path>: symbol <name> not found (expected: <what>)".
  void* symbol(const char* name, const char* what) const;
  // nullptr when absent (optional entry points).
  void* optional_symbol(const char* name) const;

  template <typename Fn>
  Fn function(const char* name, const char* what) const {
    return reinterpret_cast<Fn>(symbol(name, what));
  }

 private:
  std::string path_;
  void* handle_ = nullptr;
};

}  // namespace bitnet::peers
