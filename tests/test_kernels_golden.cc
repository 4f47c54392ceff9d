// Byte compatibility with the origin on real files (tests/data, see its README): the golden
// TQ2_0 tensors dequantize losslessly to the model's ternary floats; re-quantizing those floats
// with our quantizers must give the golden TQ2_0 / TQ1_0 bytes (llama.cpp c392e5094) and the
// golden I2_S bytes (bitnet.cpp 2024; first n/4 + 4 bytes, the rest is stale in the file); the
// Q6_K token embedding of the llama-quantize default file is reproduced byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "bitnet/formats/quantize.h"
#include "bitnet/gguf/gguf.h"
#include "bitnet/kernels/driver.h"

namespace bitnet {
namespace {

const std::string kDir = BITNET_TEST_DATA_DIR;

bool is_projection(const gguf::TensorInfo& t) {
  return t.ne.size() == 2 && t.type != static_cast<uint32_t>(TypeId::kF32) &&
         t.name != "token_embd.weight";
}

std::vector<float> dequantized(const gguf::File& f, const gguf::TensorInfo& t) {
  const auto bytes = f.data(t);
  const int64_t n = t.nelements();
  std::vector<float> out(static_cast<size_t>(n));
  const auto type = static_cast<TypeId>(t.type);
  const float s = type == TypeId::kI2_S ? i2s_tensor_scale(bytes.data(), n) : 1.0f;
  dequantize(type, bytes.data(), out.data(), n, s);
  return out;
}

TEST(Golden, RequantizingTq2_0GivesTheGoldenTq2_0Tq1_0AndI2_SBytes) {
  const auto tq2 = gguf::File::open(kDir + "/tiny-bitnet-A-TQ2_0.gguf");
  const auto tq1 = gguf::File::open(kDir + "/tiny-bitnet-A-TQ1_0.gguf");
  const auto i2s = gguf::File::open(kDir + "/tiny-bitnet-A-I2_S.gguf");
  int checked = 0;
  for (const auto& t : tq2.tensors()) {
    if (!is_projection(t)) continue;
    SCOPED_TRACE(t.name);
    ASSERT_EQ(t.type, static_cast<uint32_t>(TypeId::kTQ2_0));
    const int64_t n = t.nelements();
    const std::vector<float> w = dequantized(tq2, t);

    std::vector<uint8_t> q(quantized_bytes(TypeId::kTQ2_0, n));
    quantize_tq2_0(w.data(), q.data(), n);
    const auto g2 = tq2.data(t);
    ASSERT_EQ(q.size(), g2.size());
    EXPECT_TRUE(std::equal(q.begin(), q.end(), g2.begin())) << "TQ2_0 bytes differ";

    const auto& t1 = tq1.tensor(t.name);
    ASSERT_EQ(t1.type, static_cast<uint32_t>(TypeId::kTQ1_0));
    q.assign(quantized_bytes(TypeId::kTQ1_0, n), 0);
    quantize_tq1_0(w.data(), q.data(), n);
    const auto g1 = tq1.data(t1);
    ASSERT_EQ(q.size(), g1.size());
    EXPECT_TRUE(std::equal(q.begin(), q.end(), g1.begin())) << "TQ1_0 bytes differ";
    EXPECT_EQ(dequantized(tq1, t1), w) << "TQ1_0 does not dequantize to the TQ2_0 values";

    const auto& ti = i2s.tensor(t.name);
    ASSERT_EQ(ti.type, static_cast<uint32_t>(TypeId::kI2_S));
    q.assign(quantized_bytes(TypeId::kI2_S, n), 0xFF);
    quantize_i2_s(w.data(), q.data(), n);
    const auto gi = i2s.data(ti);
    ASSERT_EQ(q.size(), gi.size());
    const size_t compared = static_cast<size_t>(n / 4 + 4);
    EXPECT_TRUE(std::equal(q.begin(), q.begin() + compared, gi.begin())) << "I2_S bytes differ";
    EXPECT_EQ(dequantized(i2s, ti), w) << "I2_S does not dequantize to the TQ2_0 values";
    ++checked;
  }
  EXPECT_EQ(checked, 14);  // 2 layers x 7 projections
}

TEST(Golden, KnownScaleOfBlk0AttnQ) {
  // tests/data/README.md: blk.0.attn_q.weight has s = 0.04986572265625 in every block.
  const auto tq2 = gguf::File::open(kDir + "/tiny-bitnet-A-TQ2_0.gguf");
  const auto w = dequantized(tq2, tq2.tensor("blk.0.attn_q.weight"));
  for (float v : w) ASSERT_TRUE(v == 0.0f || std::fabs(v) == 0.04986572265625f) << v;
  const auto i2s = gguf::File::open(kDir + "/tiny-bitnet-A-I2_S.gguf");
  const auto& t = i2s.tensor("blk.0.attn_q.weight");
  EXPECT_EQ(i2s_tensor_scale(i2s.data(t).data(), t.nelements()), 0.04986572265625f);
}

TEST(Golden, Q6_KTokenEmbeddingIsCloseToTheF16One) {
  // golden README §3: the Q6_K token_embd has a max error of 1.6 % of max|x|.
  const auto def = gguf::File::open(kDir + "/tiny-bitnet-A-TQ2_0-default.gguf");
  const auto f16 = gguf::File::open(kDir + "/tiny-bitnet-A-TQ2_0.gguf");
  const auto& tq = def.tensor("token_embd.weight");
  const auto& tf = f16.tensor("token_embd.weight");
  ASSERT_EQ(tq.type, static_cast<uint32_t>(TypeId::kQ6_K));
  ASSERT_EQ(tf.type, static_cast<uint32_t>(TypeId::kF16));
  const int64_t row = tq.ne[0];
  std::vector<float> a(static_cast<size_t>(row)), b(static_cast<size_t>(row));
  float max_abs = 0, max_err = 0;
  const size_t qrow = static_cast<size_t>(row / 256 * 210);
  for (int64_t r = 0; r < tq.ne[1]; ++r) {  // row by row, as the decode engine reads it
    dequantize_row(TypeId::kQ6_K, def.data(tq).data() + r * qrow, a.data(), row);
    dequantize_row(TypeId::kF16, f16.data(tf).data() + r * row * 2, b.data(), row);
    for (int64_t i = 0; i < row; ++i) {
      max_abs = std::max(max_abs, std::fabs(b[i]));
      max_err = std::max(max_err, std::fabs(a[i] - b[i]));
    }
  }
  EXPECT_LT(max_err, 0.017f * max_abs) << "max error " << max_err << " of max|x| " << max_abs;
  EXPECT_GT(max_err, 0.0f);
}

// llama-quantize's default TQ2_0 run wrote token_embd as Q6_K from the F32 model, whose
// embedding values are exactly the F16 file's (they were f16-representable): our quantize_q6_K on
// those values must give the golden Q6_K bytes, all 512 blocks.
TEST(Golden, Q6_KTokenEmbeddingIsByteIdenticalToLlamaQuantize) {
  const auto def = gguf::File::open(kDir + "/tiny-bitnet-A-TQ2_0-default.gguf");
  const auto f16 = gguf::File::open(kDir + "/tiny-bitnet-A-TQ2_0.gguf");
  const auto& tq = def.tensor("token_embd.weight");
  const auto x = dequantized(f16, f16.tensor("token_embd.weight"));
  std::vector<uint8_t> q(quantized_bytes(TypeId::kQ6_K, static_cast<int64_t>(x.size())));
  quantize_q6_K(x.data(), q.data(), static_cast<int64_t>(x.size()));
  const auto want = def.data(tq);
  ASSERT_EQ(q.size(), want.size());
  int bad = 0;
  for (size_t b = 0; b < q.size() / sizeof(block_q6_K); ++b)
    bad += !std::equal(q.begin() + b * 210, q.begin() + (b + 1) * 210, want.begin() + b * 210);
  EXPECT_EQ(bad, 0) << "of " << q.size() / 210 << " Q6_K blocks differ";
}

}  // namespace
}  // namespace bitnet
