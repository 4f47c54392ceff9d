// llama-perplexity's `--kl-divergence` statistics: per scored position, KL(base || ours) over
// the tokens with base log p > -16, both NLLs, "same top" and Δp of the next token's
// probability; then means ± uncertainty, percentiles and the report it prints. The arithmetic
// (float vs double at each step) follows examples/perplexity/perplexity.cpp line by line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitnet::crossval {

struct MeanUnc {
  double value = 0, uncertainty = 0;
};

struct KldSummary {
  size_t count = 0;
  MeanUnc ppl, ppl_base, ln_ppl_ratio, ppl_ratio, ppl_diff, kld, p_diff, rms_p_diff, same_top;
  double ppl_correlation = 0;
  float kld_max = 0, kld_999 = 0, kld_990 = 0, kld_median = 0, kld_100 = 0, kld_050 = 0,
        kld_010 = 0, kld_min = 0;
  float dp_max = 0, dp_999 = 0, dp_990 = 0, dp_950 = 0, dp_900 = 0, dp_750 = 0, dp_median = 0,
        dp_250 = 0, dp_100 = 0, dp_050 = 0, dp_010 = 0, dp_001 = 0, dp_min = 0;
  size_t n_same_top = 0;
  nlohmann::json to_json() const;
};

class KldAccumulator {
 public:
  // One scored position: our logits row, the base record for it, the next token.
  void add(std::span<const float> logits, std::span<const uint16_t> base_record, int32_t next);
  // After each chunk: llama-perplexity's running line (chunk, PPL, ln ratio, KLD, Δp RMS, top).
  std::string chunk_line(int chunk_1based) const;
  size_t count() const { return count_; }
  KldSummary summary() const;

 private:
  double sum_nll_ = 0, sum_nll2_ = 0, sum_nll_base_ = 0, sum_nll_base2_ = 0, sum_nll_nll_base_ = 0,
         sum_kld_ = 0, sum_kld2_ = 0, sum_p_diff_ = 0, sum_p_diff2_ = 0, sum_p_diff4_ = 0;
  float max_p_diff_ = 0;
  size_t n_same_top_ = 0, count_ = 0;
  std::vector<float> kld_values_, p_diff_values_;
};

// The "====== Perplexity statistics ======" ... "Same top p" block as llama-perplexity prints
// it (empty when fewer than 100 positions were scored: it prints nothing then either).
std::string format_llama_report(const KldSummary& s);

}  // namespace bitnet::crossval
