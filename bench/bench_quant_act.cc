// quant_act/<q8_k|i8_s>/<impl>/N:<cols>/K:<K>/threads:1: f32 activations -> the type a weight
// format's matmul consumes, one column (decode) and a 128-column batch (prefill).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/shapes.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/results/naming.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

struct QuantCase {
  TypeId feeds;              // a weight format consuming this activation type
  const KernelInfo* kernel;  // nullptr: dispatch
  int64_t N, K;
};

void run_case(benchmark::State& st, const QuantCase& c) {
  if (c.kernel && !kernel_available(*c.kernel)) {
    st.SkipWithError(("CPU lacks " + std::string(isa_name(c.kernel->isa))).c_str());
    return;
  }
  try {
    const KernelInfo& k =
        c.kernel ? *c.kernel : dispatch_kernel(Op::kQuantAct, c.feeds, 1, 1, run_options().isa);
    std::vector<float> x(static_cast<size_t>(c.N * c.K));
    Rng rng(run_options().seed, "quant_act/" + std::to_string(c.K) + "/" + std::to_string(c.N));
    fill_uniform(x, rng);
    ActBuffer got, want;
    quantize_acts(c.feeds, x.data(), c.K, c.N, c.K, got, &k);
    for (auto _ : st) {
      quantize_acts(c.feeds, x.data(), c.K, c.N, c.K, got, &k);
      benchmark::ClobberMemory();
    }
    quantize_acts(c.feeds, x.data(), c.K, c.N, c.K, want,
                  &reference_kernel(Op::kQuantAct, c.feeds));
    const size_t used = k.atype == TypeId::kQ8_K
                            ? static_cast<size_t>(c.K / 256) * 292  // sizeof(block_q8_K)
                            : static_cast<size_t>(c.K);
    for (int64_t n = 0; n < c.N; ++n) {
      const bool same = std::memcmp(got.col(n), want.col(n), used) == 0 &&
                        (k.atype != TypeId::kI8 ||
                         (std::memcmp(&got.scales()[n], &want.scales()[n], sizeof(float)) == 0 &&
                          got.sums()[n] == want.sums()[n]));
      if (!same) {
        st.SkipWithError((std::string(k.name) + ": column " + std::to_string(n) +
                          " differs from the scalar reference")
                             .c_str());
        return;
      }
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * c.N * c.K * 4);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * c.N * c.K);
    st.SetLabel(std::string(k.name));
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

}  // namespace

void register_quant_act_benchmarks() {
  const Options& o = run_options();
  std::vector<int64_t> ks;
  for (const MatShape& s : all_mat_shapes()) {
    if (o.mode == Mode::kQuick && s.K != 2560) continue;
    if (o.mode == Mode::kDefault && s.model != "2b4t") continue;
    if (std::find(ks.begin(), ks.end(), s.K) == ks.end()) ks.push_back(s.K);
  }
  for (TypeId feeds : {TypeId::kTQ2_0, TypeId::kI2_S}) {  // Q8_K (TQ1_0 shares it), I8_S
    const TypeId atype = act_type_for(feeds);
    std::vector<const KernelInfo*> impls = {nullptr};
    for (const KernelInfo& k : all_kernels())
      if (k.op == Op::kQuantAct && k.atype == atype && (!o.isa || k.isa == *o.isa))
        impls.push_back(&k);
    for (int64_t K : ks) {
      if (K % k_block(feeds) != 0 || (atype == TypeId::kQ8_K && K % 256 != 0)) {
        registration_notes().push_back("quant_act " + type_label(atype) + " K:" +
                                       std::to_string(K) + " skipped: not a multiple of the block");
        continue;
      }
      for (int64_t N : {int64_t{1}, int64_t{128}})
        for (const KernelInfo* k : impls) {
          CaseName name{"quant_act",
                        {type_label(atype), k ? impl_label(*k) : "dispatch"},
                        {{"N", std::to_string(N)}, {"K", std::to_string(K)}, {"threads", "1"}},
                        "",
                        "",
                        ""};
          registered_names().push_back(name.str());
          QuantCase c{feeds, k, N, K};
          benchmark::RegisterBenchmark(name.str().c_str(), [c](benchmark::State& st) {
            run_case(st, c);
          })->UseRealTime();
        }
    }
  }
}

}  // namespace bitnet::bench
