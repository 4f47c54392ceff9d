// bitnet-quantize's policy: which tensors are ternarized, and the origin's default output type.
#include <gtest/gtest.h>

#include "bitnet/fixtures/quantize_policy.h"

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
  EXPECT_EQ(default_output_type(TypeId::kTQ2_0, 2000), TypeId::kQ8_0);  // not a 256 multiple
  EXPECT_EQ(default_output_type(TypeId::kI2_S, 100), TypeId::kQ8_0);
}

}  // namespace
}  // namespace bitnet::fixtures
