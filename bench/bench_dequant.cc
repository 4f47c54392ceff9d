// dequant/<format>/<impl>/<f32|f16>/rows:R/K:K/threads:1: weight format -> floats, one row (what
// an embedding lookup does) and a whole tensor. f32 runs every registered dequant kernel plus
// dispatch; f16 is the dispatched kernel followed by the library's f32 -> f16 conversion.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/probe.h"
#include "bitnet/bench/shapes.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/results/naming.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

struct DequantCase {
  TypeId wtype;
  const KernelInfo* kernel;  // nullptr: dispatch
  bool f16;
  int64_t rows, K;
};

void run_case(benchmark::State& st, const DequantCase& c) {
  if (c.kernel && !kernel_available(*c.kernel)) {
    st.SkipWithError(("CPU lacks " + std::string(isa_name(c.kernel->isa))).c_str());
    return;
  }
  try {
    const KernelInfo& k =
        c.kernel ? *c.kernel : dispatch_kernel(Op::kDequant, c.wtype, 1, 1, run_options().isa);
    // The first `rows` rows of the matrix the matmul cases use (I2_S: its tensor scale).
    const WeightMatrix& w = weights_for(c.wtype, c.rows, c.K, false);
    const int64_t n = c.rows * c.K;
    std::vector<float> out(static_cast<size_t>(n));
    std::vector<fp16_t> out16(c.f16 ? static_cast<size_t>(n) : 0);
    auto once = [&] {
      dequantize(c.wtype, w.copies[0], out.data(), n, w.w_scale, &k);
      if (c.f16) convert_f32_to_f16(out.data(), out16.data(), n);
    };
    once();
    for (auto _ : st) {
      once();
      benchmark::ClobberMemory();
    }
    std::vector<float> ref(static_cast<size_t>(n));
    reference_kernel(Op::kDequant, c.wtype).dequant(w.copies[0], ref.data(), n, w.w_scale);
    if (std::string err = compare_exact(out, ref, k.name); !err.empty()) {
      st.SkipWithError(err.c_str());
      return;
    }
    if (c.f16) {
      std::vector<fp16_t> ref16(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) ref16[i] = fp32_to_fp16(ref[i]);
      if (std::memcmp(ref16.data(), out16.data(), ref16.size() * sizeof(fp16_t)) != 0) {
        st.SkipWithError("f32 -> f16 conversion differs from fp32_to_fp16");
        return;
      }
    }
    const double bytes = static_cast<double>(w.row_bytes) * static_cast<double>(c.rows);
    using C = benchmark::Counter;
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * bytes));
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * n);
    st.counters["bits_per_weight"] = C(8.0 * bytes / static_cast<double>(n));
    const double bw =
        MachineLimits::instance().read_bandwidth_for(static_cast<size_t>(bytes), 1, false);
    st.counters["bw_frac"] = C(bytes / bw, C::kIsIterationInvariantRate);
    st.SetLabel(std::string(k.name));
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

}  // namespace

void register_dequant_benchmarks() {
  const Options& o = run_options();
  std::vector<MatShape> shapes;
  for (const MatShape& s : all_mat_shapes()) {
    if (o.mode == Mode::kQuick && !(s.M == 2560 && s.K == 2560)) continue;
    if (o.mode == Mode::kDefault && s.model != "2b4t") continue;
    shapes.push_back(s);
  }
  for (TypeId wtype : weight_formats()) {
    std::vector<const KernelInfo*> impls = {nullptr};
    for (const KernelInfo& k : all_kernels())
      if (k.op == Op::kDequant && k.wtype == wtype && (!o.isa || k.isa == *o.isa))
        impls.push_back(&k);
    for (const MatShape& s : shapes) {
      if (s.K % k_block(wtype) != 0) continue;  // noted by the matmul family
      for (int64_t rows : {int64_t{1}, s.M})
        for (const KernelInfo* k : impls)
          for (bool f16 : {false, true}) {
            if (f16 && k) continue;
            CaseName name{
                "dequant",
                {type_label(wtype), k ? impl_label(*k) : "dispatch", f16 ? "f16" : "f32"},
                {{"rows", std::to_string(rows)}, {"K", std::to_string(s.K)}, {"threads", "1"}},
                "",
                "",
                ""};
            if (std::find(registered_names().begin(), registered_names().end(), name.str()) !=
                registered_names().end())
              continue;  // the same row size from another shape
            registered_names().push_back(name.str());
            DequantCase c{wtype, k, f16, rows, s.K};
            benchmark::RegisterBenchmark(name.str().c_str(), [c](benchmark::State& st) {
              run_case(st, c);
            })->UseRealTime();
          }
    }
  }
}

}  // namespace bitnet::bench
