#include "bitnet/crossval/kld_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace bitnet::crossval {
namespace {

MeanUnc mean_and_uncertainty(double sum, double sum2, size_t count) {
  if (count < 1) return {0., 0.};
  double f = sum / count;
  double df = sum2 / count - f * f;
  df = df > 0 && count > 10 ? std::sqrt(df / (count - 1)) : 0.;
  return {f, df};
}

double covariance(double suma, double sumb, double sumab, size_t count) {
  if (count < 10) return 0.0;
  double var = sumab / count - (suma / count) * (sumb / count);
  var /= count - 1;
  return var;
}

float percentile(const std::vector<float>& values, float fraction) {
  if (fraction <= 0) return values.front();
  if (fraction >= 1) return values.back();
  float p = fraction * (values.size() - 1);
  size_t ip = size_t(p);
  p -= ip;
  return (1 - p) * values[ip] + p * values[std::min(ip + 1, values.size() - 1)];
}

float median(const std::vector<float>& v) {
  return v.size() % 2 == 0 ? 0.5f * (v[v.size() / 2] + v[v.size() / 2 - 1]) : v[v.size() / 2];
}

}  // namespace

void KldAccumulator::add(std::span<const float> logits_s, std::span<const uint16_t> rec,
                         int32_t tok) {
  const float* logits = logits_s.data();
  const int n_vocab = static_cast<int>(logits_s.size());
  float max_logit = logits[0];
  int imax = 0;
  for (int i = 1; i < n_vocab; ++i) {
    if (logits[i] > max_logit) {
      max_logit = logits[i];
      imax = i;
    }
  }
  double sum_exp = 0.0;
  for (int i = 0; i < n_vocab; ++i) sum_exp += expf(logits[i] - max_logit);
  const float log_sum_exp = static_cast<float>(std::log(sum_exp));
  float d[2];
  std::memcpy(d, rec.data(), sizeof d);
  const float scale = d[0];
  const float min_log_prob = d[1];
  const uint16_t* base_log_prob = rec.data() + 4;

  const float nll = max_logit + log_sum_exp - logits[tok];
  sum_nll_ += nll;
  sum_nll2_ += nll * nll;

  const float nll_base = -(scale * base_log_prob[tok] + min_log_prob);
  sum_nll_base_ += nll_base;
  sum_nll_base2_ += nll_base * nll_base;

  sum_nll_nll_base_ += nll * nll_base;

  max_logit += log_sum_exp;
  double sum = 0;
  int imax_base = -1;
  float p_log_base_max = 0;
  for (int i = 0; i < n_vocab; ++i) {
    const float p_log_base = scale * base_log_prob[i] + min_log_prob;
    if (i == 0 || p_log_base > p_log_base_max) {
      p_log_base_max = p_log_base;
      imax_base = i;
    }
    if (p_log_base > -16.f) {
      const float p_base = expf(p_log_base);
      sum += p_base * (p_log_base - logits[i] + max_logit);
    }
  }
  sum_kld_ += sum;
  sum_kld2_ += sum * sum;
  ++count_;
  if (imax == imax_base) ++n_same_top_;

  const float p_base = expf(-nll_base);
  const float p = expf(-nll);
  const float p_diff = p - p_base;
  sum_p_diff_ += p_diff;
  const double p_diff2 = p_diff * p_diff;
  sum_p_diff2_ += p_diff2;
  sum_p_diff4_ += p_diff2 * p_diff2;
  max_p_diff_ = std::max(max_p_diff_, std::fabs(p_diff));

  kld_values_.push_back(static_cast<float>(sum));
  p_diff_values_.push_back(p_diff);
}

std::string KldAccumulator::chunk_line(int chunk) const {
  const MeanUnc log_ppl = mean_and_uncertainty(sum_nll_, sum_nll2_, count_);
  const double ppl_val = std::exp(log_ppl.value);
  const double ppl_unc = ppl_val * log_ppl.uncertainty;
  const MeanUnc log_ppl_base = mean_and_uncertainty(sum_nll_base_, sum_nll_base2_, count_);
  const double cov = covariance(sum_nll_, sum_nll_base_, sum_nll_nll_base_, count_);
  const double ratio = log_ppl.value - log_ppl_base.value;
  const double ratio_unc =
      std::sqrt(log_ppl.uncertainty * log_ppl.uncertainty +
                log_ppl_base.uncertainty * log_ppl_base.uncertainty - 2.0 * cov);
  const MeanUnc kl = mean_and_uncertainty(sum_kld_, sum_kld2_, count_);
  const MeanUnc mse = mean_and_uncertainty(sum_p_diff2_, sum_p_diff4_, count_);
  const double rms = std::sqrt(mse.value), rms_unc = 0.5 / rms * mse.uncertainty;
  const double top = 1. * n_same_top_ / count_;
  const double top_unc = std::sqrt(top * (1 - top) / (count_ - 1));
  return fmt::format(
      "{:4d}    {:9.4f} ± {:9.4f}    {:10.5f} ± {:10.5f}    {:10.5f} ± {:10.5f}    "
      "{:6.3f} ± {:6.3f} %    {:6.3f} ± {:6.3f} %\n",
      chunk, ppl_val, ppl_unc, ratio, ratio_unc, kl.value, kl.uncertainty, 100.0 * rms,
      100.0 * rms_unc, 100.0 * top, 100.0 * top_unc);
}

KldSummary KldAccumulator::summary() const {
  KldSummary s;
  s.count = count_;
  s.n_same_top = n_same_top_;
  if (count_ == 0) return s;
  std::vector<float> kv = kld_values_, dv = p_diff_values_;
  std::sort(kv.begin(), kv.end());
  std::sort(dv.begin(), dv.end());

  const MeanUnc log_ppl = mean_and_uncertainty(sum_nll_, sum_nll2_, count_);
  s.ppl = {std::exp(log_ppl.value), std::exp(log_ppl.value) * log_ppl.uncertainty};
  const MeanUnc log_ppl_base = mean_and_uncertainty(sum_nll_base_, sum_nll_base2_, count_);
  s.ppl_base = {std::exp(log_ppl_base.value),
                std::exp(log_ppl_base.value) * log_ppl_base.uncertainty};
  const double cov = covariance(sum_nll_, sum_nll_base_, sum_nll_nll_base_, count_);
  s.ppl_correlation = cov / (log_ppl.uncertainty * log_ppl_base.uncertainty);
  s.ln_ppl_ratio = {log_ppl.value - log_ppl_base.value,
                    std::sqrt(log_ppl.uncertainty * log_ppl.uncertainty +
                              log_ppl_base.uncertainty * log_ppl_base.uncertainty - 2.0 * cov)};
  s.ppl_ratio = {std::exp(s.ln_ppl_ratio.value),
                 std::exp(s.ln_ppl_ratio.value) * s.ln_ppl_ratio.uncertainty};
  const double ppl_cov = s.ppl.value * s.ppl_base.value * cov;
  s.ppl_diff = {s.ppl.value - s.ppl_base.value,
                std::sqrt(s.ppl.uncertainty * s.ppl.uncertainty +
                          s.ppl_base.uncertainty * s.ppl_base.uncertainty - 2.0 * ppl_cov)};

  s.kld = mean_and_uncertainty(sum_kld_, sum_kld2_, count_);
  s.kld_max = kv.back();
  s.kld_999 = percentile(kv, 0.999f);
  s.kld_990 = percentile(kv, 0.990f);
  s.kld_median = median(kv);
  s.kld_100 = percentile(kv, 0.100f);
  s.kld_050 = percentile(kv, 0.050f);
  s.kld_010 = percentile(kv, 0.010f);
  s.kld_min = kv.front();

  s.p_diff = mean_and_uncertainty(sum_p_diff_, sum_p_diff2_, count_);
  s.dp_max = dv.back();
  s.dp_999 = percentile(dv, 0.999f);
  s.dp_990 = percentile(dv, 0.990f);
  s.dp_950 = percentile(dv, 0.950f);
  s.dp_900 = percentile(dv, 0.900f);
  s.dp_750 = percentile(dv, 0.750f);
  s.dp_median = median(dv);
  s.dp_250 = percentile(dv, 0.250f);
  s.dp_100 = percentile(dv, 0.100f);
  s.dp_050 = percentile(dv, 0.050f);
  s.dp_010 = percentile(dv, 0.010f);
  s.dp_001 = percentile(dv, 0.001f);
  s.dp_min = dv.front();
  const MeanUnc mse = mean_and_uncertainty(sum_p_diff2_, sum_p_diff4_, count_);
  s.rms_p_diff = {std::sqrt(mse.value), 0.5 / std::sqrt(mse.value) * mse.uncertainty};
  const double top = 1.0 * n_same_top_ / count_;
  s.same_top = {top, std::sqrt(top * (1.0 - top) / (count_ - 1))};
  return s;
}

std::string format_llama_report(const KldSummary& s) {
  if (s.count < 100) return "";
  std::string o;
  auto line = [&o](const std::string& t) { o += t; };
  line("====== Perplexity statistics ======\n");
  line(fmt::format("Mean PPL(Q)                   : {:10.6f} ± {:10.6f}\n", s.ppl.value,
                   s.ppl.uncertainty));
  line(fmt::format("Mean PPL(base)                : {:10.6f} ± {:10.6f}\n", s.ppl_base.value,
                   s.ppl_base.uncertainty));
  line(fmt::format("Cor(ln(PPL(Q)), ln(PPL(base))): {:6.2f}%\n", 100.0 * s.ppl_correlation));
  line(fmt::format("Mean ln(PPL(Q)/PPL(base))     : {:10.6f} ± {:10.6f}\n", s.ln_ppl_ratio.value,
                   s.ln_ppl_ratio.uncertainty));
  line(fmt::format("Mean PPL(Q)/PPL(base)         : {:10.6f} ± {:10.6f}\n", s.ppl_ratio.value,
                   s.ppl_ratio.uncertainty));
  line(fmt::format("Mean PPL(Q)-PPL(base)         : {:10.6f} ± {:10.6f}\n", s.ppl_diff.value,
                   s.ppl_diff.uncertainty));
  line("\n====== KL divergence statistics ======\n");
  line(fmt::format("Mean    KLD: {:10.6f} ± {:10.6f}\n", s.kld.value, s.kld.uncertainty));
  line(fmt::format("Maximum KLD: {:10.6f}\n", s.kld_max));
  line(fmt::format("99.9%   KLD: {:10.6f}\n", s.kld_999));
  line(fmt::format("99.0%   KLD: {:10.6f}\n", s.kld_990));
  line(fmt::format("99.0%   KLD: {:10.6f}\n", s.kld_990));  // printed twice, as llama.cpp does
  line(fmt::format("Median  KLD: {:10.6f}\n", s.kld_median));
  line(fmt::format("10.0%   KLD: {:10.6f}\n", s.kld_100));
  line(fmt::format(" 5.0%   KLD: {:10.6f}\n", s.kld_050));
  line(fmt::format(" 1.0%   KLD: {:10.6f}\n", s.kld_010));
  line(fmt::format("Minimum KLD: {:10.6f}\n", s.kld_min));
  line("\n====== Token probability statistics ======\n");
  line(fmt::format("Mean    Δp: {:6.3f} ± {:5.3f} %\n", 100.0 * s.p_diff.value,
                   100.0 * s.p_diff.uncertainty));
  const std::pair<const char*, float> dps[] = {
      {"Maximum Δp", s.dp_max},    {"99.9%   Δp", s.dp_999}, {"99.0%   Δp", s.dp_990},
      {"95.0%   Δp", s.dp_950},    {"90.0%   Δp", s.dp_900}, {"75.0%   Δp", s.dp_750},
      {"Median  Δp", s.dp_median}, {"25.0%   Δp", s.dp_250}, {"10.0%   Δp", s.dp_100},
      {" 5.0%   Δp", s.dp_050},    {" 1.0%   Δp", s.dp_010}, {" 0.1%   Δp", s.dp_001},
      {"Minimum Δp", s.dp_min}};
  for (const auto& [name, v] : dps) line(fmt::format("{}: {:6.3f}%\n", name, 100.0 * v));
  line(fmt::format("RMS Δp    : {:6.3f} ± {:5.3f} %\n", 100.0 * s.rms_p_diff.value,
                   100.0 * s.rms_p_diff.uncertainty));
  line(fmt::format("Same top p: {:6.3f} ± {:5.3f} %\n", 100.0 * s.same_top.value,
                   100.0 * s.same_top.uncertainty));
  return o;
}

nlohmann::json KldSummary::to_json() const {
  auto mu = [](const MeanUnc& m) {
    return nlohmann::json{{"value", m.value}, {"uncertainty", m.uncertainty}};
  };
  return {{"n_scored", count},
          {"mean_kld", kld.value},
          {"mean_kld_uncertainty", kld.uncertainty},
          {"max_kld", kld_max},
          {"kld_percentiles",
           {{"99.9", kld_999},
            {"99.0", kld_990},
            {"50.0", kld_median},
            {"10.0", kld_100},
            {"5.0", kld_050},
            {"1.0", kld_010},
            {"0.0", kld_min}}},
          {"same_top_fraction", same_top.value},
          {"same_top_uncertainty", same_top.uncertainty},
          {"n_same_top", n_same_top},
          {"ppl", ppl.value},
          {"ppl_uncertainty", ppl.uncertainty},
          {"ppl_base", ppl_base.value},
          {"ppl_base_uncertainty", ppl_base.uncertainty},
          {"ln_ppl_ratio", mu(ln_ppl_ratio)},
          {"ppl_correlation", ppl_correlation},
          {"mean_delta_p", mu(p_diff)},
          {"rms_delta_p", mu(rms_p_diff)},
          {"max_delta_p", dp_max},
          {"min_delta_p", dp_min}};
}

}  // namespace bitnet::crossval
