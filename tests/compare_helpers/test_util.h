// Shared helpers for the comparison-shim tests: temp dirs and fake peer installs.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace bitnet::compare::testing {

inline std::string data(const std::string& rel) {
  return std::string(BITNET_TEST_DATA_DIR) + "/" + rel;
}
inline std::string transcript(const std::string& name) {
  return data("transcripts/" + name);
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh directory under the temp dir, removed on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static int n = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("bitnet_cmp_" + tag + "_" + std::to_string(getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// Installs the fake peer as dir/name with a config (see compare_helpers/fake_llama.cc). With
// bitnet_cpp, a copy carrying ggml's "i2_s" type name, as bitnet.cpp's binaries do (peer_probe.h).
inline std::filesystem::path install_fake(const std::filesystem::path& dir, const std::string& name,
                                          const std::map<std::string, std::string>& cfg,
                                          bool bitnet_cpp = false) {
  std::filesystem::create_directories(dir);
  std::filesystem::path bin = dir / name;
  std::filesystem::remove(bin);
  if (bitnet_cpp) {
    std::filesystem::copy_file(COMPARE_FAKE_LLAMA, bin);
    std::ofstream(bin, std::ios::binary | std::ios::app).write("\0i2_s\0", 6);
  } else {
    std::filesystem::create_symlink(COMPARE_FAKE_LLAMA, bin);
  }
  std::ofstream out(bin.string() + ".fake");
  for (const auto& [k, v] : cfg) out << k << "=" << v << "\n";
  return bin;
}

}  // namespace bitnet::compare::testing
