// Helpers shared by the fixtures tests: temp dirs, deterministic bytes, file reads, env scope.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "bitnet/fixtures/sha256.h"

namespace bitnet::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bitnet-fx-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Bytes starting with the GGUF magic (so resolve() accepts them), then seeded noise.
inline std::string gguf_like_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  if (n >= 4) s.replace(0, 4, "GGUF");
  return s;
}

inline std::string sha256_of(const std::string& bytes) {
  bitnet::fixtures::Sha256 h;
  h.update(bytes.data(), bytes.size());
  return h.hex_digest();
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Clears the fixture environment and points the cache at `cache`.
inline void isolate_env(const std::string& cache) {
  for (const char* v : {"BITNET_GGUF", "BITNET_OFFLINE", "HF_TOKEN", "HF_ENDPOINT", "BITNET_SEED",
                        "BITNET_MANIFEST", "XDG_CACHE_HOME", "BITNET_DL_LOW_SPEED_TIME",
                        "BITNET_DL_LOW_SPEED_LIMIT", "BITNET_DL_RETRIES", "BITNET_DL_BACKOFF_MS"})
    ::unsetenv(v);
  ::setenv("BITNET_CACHE", cache.c_str(), 1);
}

}  // namespace bitnet::testing
