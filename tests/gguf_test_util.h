// Helpers for the GGUF tests: a little-endian byte builder for hand-made (often broken) files,
// a small valid file with known section boundaries, and a per-test temp directory.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/gguf/gguf.h"

namespace bitnet::gguf::test {

struct Bytes {
  std::vector<uint8_t> b;
  template <class T>
  Bytes& put(T v) {
    const size_t at = b.size();
    b.resize(at + sizeof(T));
    std::memcpy(b.data() + at, &v, sizeof(T));
    return *this;
  }
  Bytes& u8(uint8_t v) { return put(v); }
  Bytes& u32(uint32_t v) { return put(v); }
  Bytes& i32(int32_t v) { return put(v); }
  Bytes& u64(uint64_t v) { return put(v); }
  Bytes& i64(int64_t v) { return put(v); }
  Bytes& f32(float v) { return put(v); }
  Bytes& str(std::string_view s) {
    u64(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& raw(const std::vector<uint8_t>& r) {
    b.insert(b.end(), r.begin(), r.end());
    return *this;
  }
  Bytes& pad_to(uint64_t align) {
    while (b.size() % align != 0) b.push_back(0);
    return *this;
  }
  size_t size() const { return b.size(); }
};

// One encoded key-value pair: key, i32 type tag, value bytes.
inline std::vector<uint8_t> kv(std::string_view key, ValueType type, const Bytes& value) {
  Bytes out;
  out.str(key).i32(static_cast<int32_t>(type)).raw(value.b);
  return out.b;
}
inline std::vector<uint8_t> kv_u32(std::string_view key, uint32_t v) {
  return kv(key, ValueType::kU32, Bytes().u32(v));
}
inline std::vector<uint8_t> kv_str(std::string_view key, std::string_view v) {
  return kv(key, ValueType::kString, Bytes().str(v));
}

struct TensorSpec {
  std::string name;
  std::vector<int64_t> ne;
  int32_t type = 0;
  uint64_t offset = 0;
};

// A hand-assembled GGUF image. Fields default to a small valid file; tests break one thing.
struct Spec {
  uint32_t magic = 0x46554747;
  uint32_t version = 3;
  std::optional<int64_t> n_tensors;  // unset: the real count
  std::optional<int64_t> n_kv;
  std::vector<std::vector<uint8_t>> kvs;
  std::vector<TensorSpec> tensors;
  std::vector<uint32_t> n_dims_override;  // per tensor; empty = ne.size()
  uint64_t alignment = 32;                // padding used before the data section
  uint64_t data_bytes = 0;                // bytes of data appended after the padding

  struct Built {
    std::vector<uint8_t> bytes;
    std::vector<size_t> boundaries;  // end of header, each kv, each info, data start, end
  };

  Built build() const {
    Bytes out;
    Built r;
    out.u32(magic).u32(version);
    out.i64(n_tensors.value_or(static_cast<int64_t>(tensors.size())));
    out.i64(n_kv.value_or(static_cast<int64_t>(kvs.size())));
    r.boundaries.push_back(out.size());
    for (const auto& k : kvs) {
      out.raw(k);
      r.boundaries.push_back(out.size());
    }
    for (size_t i = 0; i < tensors.size(); ++i) {
      const auto& t = tensors[i];
      out.str(t.name);
      out.u32(i < n_dims_override.size() ? n_dims_override[i] : t.ne.size());
      for (int64_t d : t.ne) out.i64(d);
      out.i32(t.type).u64(t.offset);
      r.boundaries.push_back(out.size());
    }
    out.pad_to(alignment);
    r.boundaries.push_back(out.size());
    for (uint64_t i = 0; i < data_bytes; ++i) out.u8(static_cast<uint8_t>(i * 7 + 1));
    r.boundaries.push_back(out.size());
    r.bytes = std::move(out.b);
    return r;
  }
};

// A valid file: four kinds of metadata and three tensors (F32, TQ2_0, F16) laid out as gguf.cpp
// requires (each padded to 32 bytes, the last one too). 64 + 160 (132 padded) + 32 = 256 bytes.
inline Spec small_spec() {
  Spec s;
  s.kvs.push_back(kv_str("general.architecture", "bitnet"));
  s.kvs.push_back(kv_u32("bitnet.block_count", 2));
  s.kvs.push_back(kv("tokenizer.ggml.tokens", ValueType::kArray,
                     Bytes().i32(8).u64(3).str("<unk>").str("<s>").str("</s>")));
  s.kvs.push_back(kv("tokenizer.ggml.scores", ValueType::kArray,
                     Bytes().i32(6).u64(3).f32(0.f).f32(-1.f).f32(-2.f)));
  s.tensors.push_back({"a.weight", {8, 2}, 0, 0});
  s.tensors.push_back({"b.weight", {256, 2}, 35, 64});
  s.tensors.push_back({"c.weight", {4}, 1, 224});
  s.data_bytes = 256;
  return s;
}

// A fresh directory under the build's temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "bitnet-gguf-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace bitnet::gguf::test
