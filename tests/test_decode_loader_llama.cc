// Loading llama-architecture files and llama.cpp's fallback tensors: what is unsupported is a
// clear error naming the file, the tensor or key, the type and an offset, never a wrong number;
// an untied output.weight (arch llama) is the lm_head.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/gguf/gguf.h"
#include "test_decode_util.h"

namespace bitnet {
namespace {

using model::Engine;
using model::EngineOptions;
using model::Model;

std::string expect_error(const std::string& path, const std::string& field,
                         const std::vector<std::string>& words) {
  try {
    Model::from_view(bitnet::fixtures::model_view(path));
    ADD_FAILURE() << "no error for " << path;
  } catch (const gguf::Error& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(e.field().find(field), std::string::npos) << e.what();
    for (const std::string& w : words)
      EXPECT_NE(std::string(e.what()).find(w), std::string::npos) << e.what();
    return e.what();
  }
  return {};
}

// Copies `src` (in tests/data) with `meta` applied after the metadata and `extra` tensors added.
std::string write_copy(const std::string& src, const std::string& name,
                       const std::function<void(gguf::Writer&)>& meta,
                       const std::function<uint32_t(const gguf::TensorInfo&)>& type_of = nullptr,
                       const std::string& duplicate_as = "", const std::string& duplicate_of = "") {
  const auto f = gguf::File::open(testutil::data_path(src));
  const std::string dst = testutil::temp_path(name);
  gguf::Writer w(dst);
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  if (meta) meta(w);
  for (const auto& t : f.tensors()) w.add_tensor(t.name, type_of ? type_of(t) : t.type, t.ne);
  if (!duplicate_as.empty()) {
    const auto& t = f.tensor(duplicate_of);
    w.add_tensor(duplicate_as, t.type, t.ne);
  }
  w.begin_data();
  for (const auto& t : f.tensors()) w.write(f.data(t));
  if (!duplicate_as.empty()) w.write(f.data(f.tensor(duplicate_of)));
  w.finish();
  return dst;
}

// bitnet.cpp's quantizer writes I2_S for rows of 320 (model E), but its own logits on such a file
// are unrelated to the model: the row length must be refused, naming tensor, type and offset.
// The file is E with one tensor's type id patched to I2_S (our writer refuses to make it).
TEST(LlamaLoader, I2sRowsNotAMultipleOf128AreRefused) {
  std::ifstream in(testutil::data_path("tiny-bitnet-E-TQ2_0.gguf"), std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const std::string name = "blk.0.attn_q.weight";
  const auto at = std::search(bytes.begin(), bytes.end(), name.begin(), name.end());
  ASSERT_NE(at, bytes.end());
  // After the name: n_dims (u32), ne[0..1] (u64), then the type (u32).
  const size_t type_at = static_cast<size_t>(at - bytes.begin()) + name.size() + 4 + 16;
  uint32_t type;
  std::memcpy(&type, &bytes[type_at], 4);
  ASSERT_EQ(type, static_cast<uint32_t>(TypeId::kQ4_0));
  type = static_cast<uint32_t>(TypeId::kI2_S);
  std::memcpy(&bytes[type_at], &type, 4);
  const std::string path = testutil::temp_path("E-I2_S-320.gguf");
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  try {
    Model::from_view(bitnet::fixtures::model_view(path));
    FAIL() << "I2_S rows of 320 were accepted";
  } catch (const gguf::Error& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(e.field().find(name), std::string::npos) << e.what();
    EXPECT_EQ(e.offset(), type_at) << e.what();
    EXPECT_NE(
        std::string(e.what()).find("row length 320 is not a multiple of the I2_S block size 128"),
        std::string::npos)
        << e.what();
  }
}

// A type the engine has no kernel for (here Q4_1 projections) is refused, naming it.
TEST(LlamaLoader, UnsupportedProjectionTypeIsRefused) {
  const auto f = gguf::File::open(testutil::data_path("tiny-llama-G-TQ2_0.gguf"));
  const std::string dst = testutil::temp_path("G-Q4_1.gguf");
  {
    gguf::Writer w(dst);
    for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
    for (const auto& t : f.tensors())
      w.add_tensor(t.name, t.name == "blk.1.ffn_up.weight" ? 3u : t.type, t.ne);
    w.begin_data();
    for (const auto& t : f.tensors()) {
      if (t.name == "blk.1.ffn_up.weight") {
        w.write(std::vector<uint8_t>(static_cast<size_t>(t.ne[0] / 32 * 20 * t.ne[1]), 0));
      } else {
        w.write(f.data(t));
      }
    }
    w.finish();
  }
  expect_error(dst, "blk.1.ffn_up.weight", {"type Q4_1 is not supported for this tensor"});
}

TEST(LlamaLoader, SubNormsAndOutputFollowTheArchTable) {
  // arch bitnet keeps its lm_head tied: an output.weight is refused, not silently ignored.
  const std::string e = write_copy("tiny-bitnet-E-TQ2_0.gguf", "E-output.gguf", nullptr, nullptr,
                                   "output.weight", "token_embd.weight");
  expect_error(e, "output.weight", {"untied output.weight is not supported for arch 'bitnet'"});
  // arch llama has no sub-norms: one present is an unexpected tensor.
  const std::string g = write_copy("tiny-llama-G-TQ2_0.gguf", "G-subnorm.gguf", nullptr, nullptr,
                                   "blk.0.attn_sub_norm.weight", "blk.0.attn_norm.weight");
  expect_error(g, "blk.0.attn_sub_norm.weight", {"arch 'llama' has no sub-norms"});
}

// arch llama with an untied output.weight equal to token_embd: the same logits, bit for bit, and
// the lm_head counted once in the weight bytes.
TEST(LlamaLoader, UntiedOutputIsTheLmHead) {
  const std::string g = write_copy("tiny-llama-G-TQ2_0.gguf", "G-output.gguf", nullptr, nullptr,
                                   "output.weight", "token_embd.weight");
  const Model tied = Model::from_view(
      bitnet::fixtures::model_view(testutil::data_path("tiny-llama-G-TQ2_0.gguf")));
  const Model untied = Model::from_view(bitnet::fixtures::model_view(g));
  EXPECT_EQ(untied.lm_head().name, "output.weight");
  EXPECT_EQ(tied.lm_head().name, "token_embd.weight");
  EXPECT_EQ(untied.weight_bytes_per_token(), tied.weight_bytes_per_token());
  Engine a(tied, EngineOptions{.n_threads = 1, .n_ctx = 64});
  Engine b(untied, EngineOptions{.n_threads = 1, .n_ctx = 64});
  const std::vector<int32_t> prompt = {1, 300, 5, 77};
  std::vector<float> la, lb;
  a.forward(prompt, &la);
  b.forward(prompt, &lb);
  EXPECT_EQ(la, lb);
}

TEST(LlamaLoader, RopeScalingAndHeadSizeKeys) {
  std::string p = write_copy("tiny-llama-G-TQ2_0.gguf", "G-yarn.gguf", [](gguf::Writer& w) {
    w.set_string("llama.rope.scaling.type", "yarn");
  });
  expect_error(p, "llama.rope.scaling.type", {"RoPE scaling 'yarn' is not supported"});
  p = write_copy("tiny-llama-G-TQ2_0.gguf", "G-linear.gguf",
                 [](gguf::Writer& w) { w.set_f32("llama.rope.scaling.factor", 4.0f); });
  expect_error(p, "llama.rope.scaling.factor", {"RoPE scaling factor"});
  // attention.key_length sets the head size (Falcon3: 256, whatever n_embd / n_head is); here
  // 128 with 4 heads no longer matches attn_q's 256 rows, which the shape check names.
  p = write_copy("tiny-llama-G-TQ2_0.gguf", "G-keylen.gguf",
                 [](gguf::Writer& w) { w.set_u32("llama.attention.key_length", 128); });
  expect_error(p, "blk.0.attn_q.weight", {"shape [256, 256], expected [256, 512]"});
  p = write_copy("tiny-llama-G-TQ2_0.gguf", "G-vallen.gguf",
                 [](gguf::Writer& w) { w.set_u32("llama.attention.value_length", 32); });
  expect_error(p, "llama.attention.value_length", {"differs from the key length 64"});
}

}  // namespace
}  // namespace bitnet
