// bitnet-quantize's policy: which tensors are quantized and to which type, as llama_tensor_get_type
// (llama.cpp c392e5094 for TQ formats, bitnet.cpp 406a503 for I2_S) decides.
#include <gtest/gtest.h>

#include "bitnet/fixtures/quantize_policy.h"

#include <stdexcept>
#include <string>

namespace bitnet::fixtures {
namespace {

TEST(QuantizePolicy, ProjectionsAreTheSevenPerLayerWeights) {
  for (const char* n : {"blk.0.attn_q.weight", "blk.12.attn_k.weight", "blk.3.attn_v.weight",
                        "blk.29.attn_output.weight", "blk.1.ffn_gate.weight", "blk.1.ffn_up.weight",
                        "blk.7.ffn_down.weight"})
    EXPECT_TRUE(is_projection(n)) << n;
  for (const char* n : {"token_embd.weight", "output.weight", "blk.0.attn_norm.weight",
                        "blk.0.attn_sub_norm.weight", "blk.0.attn_q.scale", "blk..attn_q.weight",
                        "blk.x.attn_q.weight", "blk.0.attn_qq.weight", "xblk.0.attn_q.weight",
                        "blk.0.attn_q.weight.1"})
    EXPECT_FALSE(is_projection(n)) << n;
  EXPECT_EQ(projection_names().size(), 7u);
}

TEST(QuantizePolicy, DefaultOutputTypeFollowsTheOrigin) {
  EXPECT_EQ(default_output_type(TypeId::kTQ2_0, 2560), TypeId::kQ6_K);  // llama.cpp
  EXPECT_EQ(default_output_type(TypeId::kTQ1_0, 256), TypeId::kQ6_K);
  EXPECT_EQ(default_output_type(TypeId::kI2_S, 2560), TypeId::kF16);    // bitnet.cpp
  EXPECT_EQ(default_output_type(TypeId::kTQ2_0, 2016), TypeId::kQ8_0);  // not a 256 multiple
  EXPECT_THROW(default_output_type(TypeId::kTQ2_0, 2000), std::invalid_argument);  // nor of 32
  EXPECT_EQ(default_output_type(TypeId::kI2_S, 100), TypeId::kQ8_0);
}

TEST(QuantizePolicy, QuantizedTensorsAreTheTwoDimensionalNonNormWeights) {
  EXPECT_TRUE(is_quantized_tensor("blk.0.attn_q.weight", 2));
  EXPECT_TRUE(is_quantized_tensor("token_embd.weight", 2));
  EXPECT_TRUE(is_quantized_tensor("output.weight", 2));
  EXPECT_TRUE(is_quantized_tensor("blk.0.ffn_down_exps.weight", 3));
  EXPECT_FALSE(is_quantized_tensor("blk.0.attn_q.weight", 1));
  EXPECT_FALSE(is_quantized_tensor("blk.0.attn_norm.weight", 2));
  EXPECT_FALSE(is_quantized_tensor("blk.0.ffn_sub_norm.weight", 2));
  EXPECT_FALSE(is_quantized_tensor("blk.0.ffn_gate_inp.weight", 2));
  EXPECT_FALSE(is_quantized_tensor("blk.0.attn_q.scale", 2));
  EXPECT_FALSE(is_quantized_tensor("position_embd.weight", 2));
}

TEST(QuantizePolicy, TqRowsThatAreNotA256MultipleFallBackAsLlamaQuantizeDoes) {
  const QuantizeTarget tq2{TypeId::kTQ2_0, "bitnet", false};
  auto type = [](const QuantizeTarget& t, std::string_view name, int64_t ne0) {
    return tensor_type(t, name, ne0);
  };
  EXPECT_EQ(type(tq2, "blk.0.attn_q.weight", 2560).type, TypeId::kTQ2_0);
  EXPECT_FALSE(type(tq2, "blk.0.attn_q.weight", 2560).fallback);
  // bitnet_b1_58-3B: 3200 and 8640 -> Q4_0 (32-blocks fit).
  for (int64_t ne0 : {3200, 8640, 320, 864}) {
    const TensorType r = type(tq2, "blk.3.ffn_down.weight", ne0);
    EXPECT_EQ(r.type, TypeId::kQ4_0) << ne0;
    EXPECT_TRUE(r.fallback);
    EXPECT_EQ(r.preferred, TypeId::kTQ2_0);
  }
  EXPECT_EQ(type({TypeId::kTQ1_0, "llama", true}, "blk.0.attn_k.weight", 3200).type, TypeId::kQ4_0);
  EXPECT_EQ(type(tq2, "blk.0.attn_q.weight", 48).type, TypeId::kF16);  // not even a 32-multiple
  // A tied token_embd is the output: Q6_K, Q8_0 for rows that are not a 256-multiple.
  EXPECT_EQ(type(tq2, "token_embd.weight", 2560).type, TypeId::kQ6_K);
  EXPECT_EQ(type(tq2, "token_embd.weight", 3200).type, TypeId::kQ8_0);
  EXPECT_FALSE(type(tq2, "token_embd.weight", 3200).fallback);  // a rule, not the fallback
  EXPECT_THROW(type(tq2, "token_embd.weight", 100), std::invalid_argument);  // Q8_0 cannot
  // Untied (Llama3-8B, Falcon3): output Q6_K, token_embd Q4_K (Q5_0, then F16, when it must).
  const QuantizeTarget untied{TypeId::kTQ2_0, "llama", true};
  EXPECT_EQ(type(untied, "output.weight", 3072).type, TypeId::kQ6_K);
  EXPECT_EQ(type(untied, "token_embd.weight", 3072).type, TypeId::kQ4_K);
  EXPECT_EQ(type(untied, "token_embd.weight", 3200).type, TypeId::kQ5_0);
  EXPECT_EQ(type(untied, "token_embd.weight", 3201).type, TypeId::kF16);
  // Arch falcon: outputs are Q8_0.
  EXPECT_EQ(type({TypeId::kTQ2_0, "falcon", true}, "output.weight", 4096).type, TypeId::kQ8_0);
}

TEST(QuantizePolicy, I2_SNeverFallsBackAndRefusesRowsThatAreNotA128Multiple) {
  const QuantizeTarget i2s{TypeId::kI2_S, "bitnet", false};
  EXPECT_EQ(tensor_type(i2s, "blk.0.attn_q.weight", 3200).type, TypeId::kI2_S);  // 25 x 128
  try {
    (void)tensor_type(i2s, "blk.0.ffn_down.weight", 8640);
    ADD_FAILURE() << "8640 is not a multiple of 128";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "tensor blk.0.ffn_down.weight: row length 8640 is not a multiple of 128"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(tensor_type(i2s, "token_embd.weight", 2560).type, TypeId::kF16);
  EXPECT_EQ(tensor_type(i2s, "token_embd.weight", 320).type, TypeId::kQ8_0);
  EXPECT_EQ(tensor_type({TypeId::kI2_S, "llama", true}, "token_embd.weight", 4096).type,
            TypeId::kF16);
  EXPECT_EQ(tensor_type({TypeId::kI2_S, "llama", true}, "output.weight", 4096).type, TypeId::kF16);
}

}  // namespace
}  // namespace bitnet::fixtures
