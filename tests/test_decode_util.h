// Shared helpers of the decode tests: golden logits JSON, logit comparisons, test models.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace bitnet::testutil {

// llama.cpp / bitnet.cpp logits (golden README §5).
struct Golden {
  std::vector<int32_t> tokens;
  std::vector<std::vector<float>> logits;  // [tokens][n_vocab]
  std::vector<int32_t> argmax;
  std::vector<float> margin;
  std::vector<int32_t> greedy;                    // 16 free-running greedy tokens
  std::vector<std::vector<float>> greedy_logits;  // [15][n_vocab]: row k produced greedy[k+1]
  std::vector<float> greedy_margin;
};
Golden load_golden(const std::string& path);

double cosine(std::span<const float> a, std::span<const float> b);
double cosine(std::span<const float> a, std::span<const double> b);
double max_abs_diff(std::span<const float> a, std::span<const double> b);

std::string data_path(const std::string& name);  // BITNET_TEST_DATA_DIR/name

// Writes `src` with every tensor dequantized to F32 (the golden F32 model: golden README §3 says
// the F32 and TQ files hold bit-identical values). general.file_type becomes 0.
// With out_scale != 0, also adds `blk.0.attn_q.scale` and `blk.1.ffn_down.scale` (one F32 each)
// holding that value, to exercise the optional per-tensor output scales.
void write_f32_copy(const std::string& src, const std::string& dst, float out_scale = 0.0f);

// Copies `src` unchanged except token_embd, re-encoded as Q8_0 (ggml's quantize_row_q8_0_ref
// rule: per 32 values d = fp16(max|x| / 127), q = round(x / d)).
void write_q8_0_embd_copy(const std::string& src, const std::string& dst);

// A unique path under the test temp dir.
std::string temp_path(const std::string& name);

// Copies `src` unchanged except general.file_type (llama-quantize's TQ2_0 and TQ1_0 outputs of
// a model whose projections all fall back to Q4_0 differ in nothing else).
void write_file_type_copy(const std::string& src, const std::string& dst, uint32_t file_type);

// The model file a test table names (written under the temp dir where it is derived):
//   "<file>"              tests/data/<file>
//   "<file>.gz"           tests/data/<file>.gz, decompressed
//   "F32:<spec>"          that model with every tensor dequantized to F32 (write_f32_copy)
//   "file_type=N:<spec>"  that model with general.file_type N (write_file_type_copy)
std::string model_path(const std::string& spec);

}  // namespace bitnet::testutil
