// Helpers for the tokenizer tests: test-data paths, a temp directory, and vocab-only GGUF
// variants (a copy of a vocabulary with some tokenizer keys changed or removed).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "bitnet/gguf/gguf.h"

namespace bitnet::tokenizer::test {

inline std::string data_path(const std::string& name) {
  return std::string(BITNET_TEST_DATA_DIR) + "/" + name;
}

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bitnet-tok-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

// Writes `dst`: the metadata of the vocab-only GGUF `src` with `changes` applied (a value
// replaces or adds the key, nullopt removes it). Keys keep their order; new keys go last.
inline void write_vocab_variant(const std::string& src, const std::string& dst,
                                const std::map<std::string, std::optional<gguf::Value>>& changes) {
  const gguf::File in = gguf::File::open(src);
  if (!in.tensors().empty()) throw std::runtime_error(src + " is not vocab-only");
  gguf::Writer w(dst, static_cast<uint32_t>(in.alignment()));
  for (const auto& kv : in.metadata()) {
    const auto it = changes.find(kv.key);
    if (it == changes.end())
      w.set(kv.key, kv.value);
    else if (it->second)
      w.set(kv.key, *it->second);
  }
  for (const auto& [key, value] : changes)
    if (value && !in.find(key)) w.set(key, *value);
  w.begin_data();
  w.finish();
}

}  // namespace bitnet::tokenizer::test
