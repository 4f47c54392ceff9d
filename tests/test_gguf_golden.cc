// The real llama.cpp / bitnet.cpp files in tests/data parse with the tensor tables their
// quantize logs describe, their data lands where the formats say, and rewriting them with our
// Writer reproduces them byte for byte.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <map>

#include "bitnet/formats/blocks.h"
#include "bitnet/formats/types.h"
#include "bitnet/gguf/gguf.h"
#include "gguf_test_util.h"

namespace bitnet::gguf {
namespace {

std::string data_path(const std::string& name) {
  return std::string(BITNET_TEST_DATA_DIR) + "/" + name;
}

struct Golden {
  const char* file;
  uint32_t proj_type;  // type of the 14 projections
  uint32_t embd_type;  // token_embd
  uint32_t file_type;  // general.file_type
};

class GgufGolden : public ::testing::TestWithParam<Golden> {};

// Config A (golden README §2): n_embd 256, n_ff 512, 2 layers, 4 heads / 2 KV heads, vocab 512.
const std::map<std::string, std::vector<int64_t>> kProjShapes = {
    {"attn_q", {256, 256}},      {"attn_k", {256, 128}},   {"attn_v", {256, 128}},
    {"attn_output", {256, 256}}, {"ffn_gate", {256, 512}}, {"ffn_up", {256, 512}},
    {"ffn_down", {512, 256}},
};
const std::map<std::string, std::vector<int64_t>> kNormShapes = {
    {"attn_norm", {256}},
    {"attn_sub_norm", {256}},
    {"ffn_norm", {256}},
    {"ffn_sub_norm", {512}},
};

TEST_P(GgufGolden, TensorTableMatchesTheQuantizeLog) {
  const Golden g = GetParam();
  const File f = File::open(data_path(g.file));
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);  // no general.alignment key: the default
  EXPECT_EQ(f.find("general.alignment"), nullptr);

  // 1 token_embd + 14 projections + 9 norms (output_norm + 4 per layer) = 24 tensors.
  ASSERT_EQ(f.tensors().size(), 24u);
  std::map<uint32_t, int> by_type;
  for (const auto& t : f.tensors()) by_type[t.type]++;
  EXPECT_EQ(by_type[g.proj_type], 14);
  EXPECT_EQ(by_type[static_cast<uint32_t>(TypeId::kF32)], 9);
  EXPECT_EQ(by_type[g.embd_type], 1);

  const TensorInfo& embd = f.tensor("token_embd.weight");
  EXPECT_EQ(embd.type, g.embd_type);
  EXPECT_EQ(embd.ne, (std::vector<int64_t>{256, 512}));
  EXPECT_EQ(f.tensor("output_norm.weight").ne, std::vector<int64_t>{256});
  for (int layer = 0; layer < 2; ++layer) {
    const std::string blk = "blk." + std::to_string(layer) + ".";
    for (const auto& [name, ne] : kProjShapes) {
      const TensorInfo& t = f.tensor(blk + name + ".weight");
      EXPECT_EQ(t.type, g.proj_type) << t.name;
      EXPECT_EQ(t.ne, ne) << t.name;
    }
    for (const auto& [name, ne] : kNormShapes) {
      const TensorInfo& t = f.tensor(blk + name + ".weight");
      EXPECT_EQ(t.type, 0u) << t.name;
      EXPECT_EQ(t.ne, ne) << t.name;
    }
  }

  // gguf.cpp lays tensors out back to back, each padded to the alignment, to the end of file.
  uint64_t end = 0;
  for (const auto& t : f.tensors()) end = std::max(end, t.offset + (t.nbytes + 31) / 32 * 32);
  EXPECT_EQ(f.data_offset() + end, f.file_size());
}

TEST_P(GgufGolden, MetadataMatchesTheGeneratorAndQuantizer) {
  const Golden g = GetParam();
  const File f = File::open(data_path(g.file));
  EXPECT_EQ(f.get<std::string>("general.architecture"), "bitnet");
  EXPECT_EQ(f.get<std::string>("general.name"), "tiny-bitnet-A");
  EXPECT_EQ(f.get<uint32_t>("general.file_type"), g.file_type);
  EXPECT_EQ(f.get<uint32_t>("bitnet.embedding_length"), 256u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.feed_forward_length"), 512u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.block_count"), 2u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.attention.head_count"), 4u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.attention.head_count_kv"), 2u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.rope.dimension_count"), 64u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.context_length"), 256u);
  EXPECT_EQ(f.get<float>("bitnet.rope.freq_base"), 10000.0f);
  EXPECT_EQ(f.get<float>("bitnet.attention.layer_norm_rms_epsilon"), 1e-5f);
  EXPECT_EQ(f.get<std::string>("tokenizer.ggml.model"), "llama");
  EXPECT_TRUE(f.get<bool>("tokenizer.ggml.add_bos_token"));
  EXPECT_FALSE(f.get<bool>("tokenizer.ggml.add_eos_token"));
  EXPECT_EQ(f.get<uint32_t>("tokenizer.ggml.bos_token_id"), 1u);
  EXPECT_EQ(f.get<int64_t>("tokenizer.ggml.eos_token_id"), 2);  // u32 read as i64: fits

  // Tokenizer (golden README §4): <unk> <s> </s>, then 256 byte tokens, then pieces.
  const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
  ASSERT_EQ(tokens.size(), 512u);
  EXPECT_EQ(tokens[0], "<unk>");
  EXPECT_EQ(tokens[1], "<s>");
  EXPECT_EQ(tokens[2], "</s>");
  EXPECT_EQ(tokens[3], "<0x00>");
  EXPECT_EQ(tokens[13], "<0x0A>");
  EXPECT_EQ(tokens[258], "<0xFF>");
  EXPECT_EQ(tokens[259], "\xe2\x96\x81");  // U+2581
  const auto types = f.get_i32_array("tokenizer.ggml.token_type");
  ASSERT_EQ(types.size(), 512u);
  EXPECT_EQ(types[0], 2);
  EXPECT_EQ(types[1], 3);
  EXPECT_EQ(types[3], 6);
  EXPECT_EQ(types[259], 1);
  const auto scores = f.get_f32_array("tokenizer.ggml.scores");
  ASSERT_EQ(scores.size(), 512u);
  EXPECT_EQ(scores[258], 0.0f);
  EXPECT_EQ(scores[259], -0.0f);
  EXPECT_EQ(scores[260], -1.0f);
}

// blk.0.attn_q was generated with absmean scale s = 0.04986572265625 (golden README §3), which
// every format stores: TQ1_0/TQ2_0 as each block's fp16 d (last 2 bytes), I2_S as one f32 at n/4.
TEST_P(GgufGolden, TensorBytesHoldTheKnownScale) {
  const Golden g = GetParam();
  const File f = File::open(data_path(g.file));
  const TensorInfo& q = f.tensor("blk.0.attn_q.weight");
  const auto d = f.data(q);
  constexpr float kScale = 0.04986572265625f;
  ASSERT_EQ(d.size(), q.nbytes);
  if (q.type == static_cast<uint32_t>(TypeId::kI2_S)) {
    ASSERT_EQ(d.size(), 256u * 256 / 4 + 32);
    float s;
    std::memcpy(&s, d.data() + 256 * 256 / 4, 4);
    EXPECT_EQ(s, kScale);
  } else {
    const size_t block = q.type == static_cast<uint32_t>(TypeId::kTQ2_0) ? 66 : 54;
    ASSERT_EQ(d.size(), 256u * block);
    for (size_t b = 0; b < 256; ++b) {
      uint16_t h;
      std::memcpy(&h, d.data() + b * block + block - 2, 2);
      ASSERT_EQ(fp16_to_fp32(h), kScale) << "block " << b;
    }
  }
  // Norms are uniform(0.75, 1.25) floats.
  const auto norm = f.data(f.tensor("blk.1.ffn_sub_norm.weight"));
  ASSERT_EQ(norm.size(), 512u * 4);
  for (size_t i = 0; i < 512; ++i) {
    float x;
    std::memcpy(&x, norm.data() + 4 * i, 4);
    ASSERT_GE(x, 0.75f);
    ASSERT_LT(x, 1.25f);
  }
}

TEST_P(GgufGolden, RewritingWithOurWriterIsByteIdentical) {
  const Golden g = GetParam();
  const File f = File::open(data_path(g.file));
  test::TempDir dir;
  const std::string out = dir.file("copy.gguf");
  Writer w(out);
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  for (const auto& t : f.tensors()) w.add_tensor(t.name, t.type, t.ne);
  w.begin_data();
  for (const auto& t : f.tensors()) w.write(f.data(t));
  w.finish();
  const File c = File::open(out);
  ASSERT_EQ(c.file_size(), f.file_size());
  EXPECT_TRUE(std::ranges::equal(c.bytes(), f.bytes()));
}

INSTANTIATE_TEST_SUITE_P(ConfigA, GgufGolden,
                         ::testing::Values(Golden{"tiny-bitnet-A-TQ2_0.gguf", 35, 1, 37},
                                           Golden{"tiny-bitnet-A-TQ1_0.gguf", 34, 1, 36},
                                           Golden{"tiny-bitnet-A-TQ2_0-default.gguf", 35, 14, 37},
                                           Golden{"tiny-bitnet-A-I2_S.gguf", 36, 1, 40}),
                         [](const auto& info) {
                           std::string n = info.param.file;
                           n = n.substr(std::string("tiny-bitnet-").size());
                           n = n.substr(0, n.find(".gguf"));
                           for (char& ch : n) ch = (ch == '-') ? '_' : ch;
                           return n;
                         });

TEST(GgufGoldenTruncated, LlamaCppTranscriptFileGivesAClearError) {
  // head -c 1000 of tiny-bitnet-A-TQ2_0.gguf: the cut falls inside tokenizer.ggml.tokens, where
  // llama.cpp said "failed to read key-value pairs".
  try {
    File::open(data_path("truncated-1000.gguf"));
    FAIL() << "truncated file opened";
  } catch (const Error& e) {
    EXPECT_NE(e.field().find("tokenizer.ggml.tokens"), std::string::npos) << e.what();
    EXPECT_LE(e.offset(), 1000u);
    EXPECT_NE(std::string(e.what()).find("truncated-1000.gguf"), std::string::npos);
  }
}

}  // namespace
}  // namespace bitnet::gguf
