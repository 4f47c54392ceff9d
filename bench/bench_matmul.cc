// gemv / gemm: every registered matmul kernel plus a dispatch row per format, at the real layer
// shapes, for each batch size, thread count and weight residency (hot in cache / cold: rotated
// over copies filling 4x the L3). Activations are quantized before the timed loop.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/probe.h"
#include "bitnet/bench/shapes.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/results/naming.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

struct MatCase {
  TypeId wtype;
  const KernelInfo* kernel;  // nullptr: dispatch (dispatch_kernel at run time)
  int64_t M, K, N;
  int threads;
  bool cold;
};

// Rows the output check compares: all of a small matrix, else the first and last 8 rows (tile
// and thread-chunk edges) and 48 seeded ones in between.
std::vector<int64_t> check_rows(int64_t M) {
  std::vector<int64_t> rows;
  if (M <= 64) {
    for (int64_t m = 0; m < M; ++m) rows.push_back(m);
    return rows;
  }
  for (int64_t m = 0; m < 8; ++m) rows.push_back(m), rows.push_back(M - 1 - m);
  Rng rng(run_options().seed, "check_rows/" + std::to_string(M));
  for (int i = 0; i < 48; ++i) rows.push_back(static_cast<int64_t>(rng.next() % M));
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

struct Inputs {
  std::vector<float> x;
  ActBuffer acts;
};

// Activations for (format, K, N): the same for every kernel, thread count and residency.
Inputs make_inputs(TypeId wtype, int64_t K, int64_t N) {
  Inputs in;
  in.x = act_source(wtype, K, N);
  quantize_acts(wtype, in.x.data(), K, N, K, in.acts, &reference_kernel(Op::kQuantAct, wtype));
  return in;
}

MatmulArgs make_args(const WeightMatrix& w, const ActBuffer& acts, std::vector<float>& y) {
  MatmulArgs a;
  a.wtype = w.wtype;
  a.w = w.copies[0];
  a.w_row_bytes = w.row_bytes;
  a.w_scale = w.w_scale;
  a.M = w.M;
  a.K = w.K;
  a.x = acts.view();
  y.assign(static_cast<size_t>(w.M * acts.N()), 0.0f);
  a.y = y.data();
  a.y_col_stride = w.M;
  return a;
}

// The scalar reference's values at check_rows(M) for every column (cached per format/shape/N).
const std::vector<float>& reference_values(const MatCase& c) {
  static std::mutex mu;
  static std::map<std::tuple<TypeId, int64_t, int64_t, int64_t>, std::vector<float>> cache;
  std::lock_guard lock(mu);
  auto& ref = cache[{c.wtype, c.M, c.K, c.N}];
  if (!ref.empty()) return ref;
  const WeightMatrix& w = weights_for(c.wtype, c.M, c.K, false);
  Inputs in = make_inputs(c.wtype, c.K, c.N);
  std::vector<float> y;
  MatmulArgs a = make_args(w, in.acts, y);
  const KernelInfo& rk = reference_kernel(Op::kMatmul, c.wtype);
  for (int64_t m : check_rows(c.M)) rk.matmul(a, m, m + 1);
  for (int64_t m : check_rows(c.M))
    for (int64_t n = 0; n < c.N; ++n) ref.push_back(y[static_cast<size_t>(n * c.M + m)]);
  return ref;
}

void run_case(benchmark::State& st, const MatCase& c) {
  if (c.kernel && !kernel_available(*c.kernel)) {
    st.SkipWithError(("CPU lacks " + std::string(isa_name(c.kernel->isa))).c_str());
    return;
  }
  try {
    const KernelInfo& k =
        c.kernel
            ? *c.kernel
            : dispatch_kernel(Op::kMatmul, c.wtype, c.N, c.threads, run_options().isa,
                              c.cold ? Residency::kCold : Residency::kHot, MatmulShape{c.M, c.K});
    const WeightMatrix& w = weights_for(c.wtype, c.M, c.K, c.cold);
    Inputs in = make_inputs(c.wtype, c.K, c.N);
    std::vector<float> y;
    MatmulArgs a = make_args(w, in.acts, y);
    ThreadPool& pool = pool_for(c.threads);
    matmul(a, &pool, &k);  // warm-up: faults in pages, wakes the workers, fills the caches (hot)
    size_t i = 0;
    const size_t n_copies = w.copies.size();
    const auto t0 = std::chrono::steady_clock::now();
    for (auto _ : st) {
      a.w = w.copies[i];
      i = i + 1 == n_copies ? 0 : i + 1;
      matmul(a, &pool, &k);
      benchmark::ClobberMemory();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Output check after the timed loop, bit for bit against the scalar reference.
    const std::vector<float>& ref = reference_values(c);
    std::vector<float> got;
    for (int64_t m : check_rows(c.M))
      for (int64_t n = 0; n < c.N; ++n) got.push_back(y[static_cast<size_t>(n * c.M + m)]);
    if (std::string err = compare_exact(got, ref, k.name); !err.empty()) {
      st.SkipWithError(err.c_str());
      return;
    }
    set_matmul_counters(st, w, c.N, c.threads, c.cold);
    st.SetLabel(std::string(k.name) +
                cold_bw_note(w, c.threads, c.cold, static_cast<int64_t>(st.iterations()), seconds));
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

}  // namespace

void set_matmul_counters(benchmark::State& st, const WeightMatrix& w, int64_t N, int threads,
                         bool cold) {
  const double ops =
      2.0 * static_cast<double>(w.M) * static_cast<double>(N) * static_cast<double>(w.K);
  const double bytes = static_cast<double>(w.tensor_bytes);
  auto& limits = MachineLimits::instance();
  const double bw = limits.read_bandwidth_for(w.tensor_bytes, threads, cold);
  using C = benchmark::Counter;
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(bytes));
  st.counters["GOPS"] = C(ops * 1e-9, C::kIsIterationInvariantRate);
  st.counters["bits_per_weight"] = C(8.0 * bytes / static_cast<double>(w.M * w.K));
  st.counters["bw_frac"] = C(bytes / bw, C::kIsIterationInvariantRate);
  if (auto isa = machine_int8_isa()) {
    const double peak = limits.get(Limit::kInt8Peak, threads, *isa);
    st.counters["peak_frac"] = C(ops / peak, C::kIsIterationInvariantRate);
  }
}

std::string cold_bw_note(const WeightMatrix& w, int threads, bool cold, int64_t iterations,
                         double seconds) {
  if (!cold) return "";
  // A cold row cannot beat the DRAM limit by much: if it does, the limit (or the cold set) is
  // wrong, and the row says so rather than reporting an impossible fraction silently.
  const double bytes = static_cast<double>(w.tensor_bytes);
  const double bw = MachineLimits::instance().read_bandwidth_for(w.tensor_bytes, threads, cold);
  const double frac = bytes * static_cast<double>(iterations) / std::max(1e-12, seconds) / bw;
  if (frac <= 1.1) return "";
  char buf[200];
  std::snprintf(buf, sizeof buf,
                " (bw_frac %.2f > 1.1 on a cold row: the probed dram_read is below what this "
                "row streams; re-measure with --bitnet_probe on an idle machine)",
                frac);
  return buf;
}

std::vector<int64_t> matmul_check_rows(int64_t M) {
  return check_rows(M);
}

const std::vector<float>& matmul_reference_values(TypeId wtype, int64_t M, int64_t K, int64_t N) {
  return reference_values(MatCase{wtype, nullptr, M, K, N, 1, false});
}

namespace {

bool in_mode(const MatCase& c, bool is_2b4t) {
  switch (run_options().mode) {
    case Mode::kFull:
      return true;
    case Mode::kDefault: {  // every kernel at the 2B4T shapes, dispatch everywhere
      // Scalar code (the references, or what dispatch falls back to) at N <= 8 only: at N = 128
      // it alone would take most of the 10-minute budget. --bitnet_full runs it everywhere. The
      // static order decides here: registration must not wait for a tuning run.
      const KernelInfo& k =
          c.kernel ? *c.kernel : select_kernel_pinned(Op::kMatmul, c.wtype, c.N, run_options().isa);
      if (k.isa == Isa::kScalar && c.N > 8) return false;
      // Cold weights matter for GEMV; a GEMM reuses each weight row over N columns, so its cold
      // rows (in --bitnet_full) differ little from hot ones.
      if (c.cold && c.N > 1) return false;
      return is_2b4t || c.kernel == nullptr;
    }
    case Mode::kQuick: {  // a representative handful
      const bool qo = c.M == 2560 && c.K == 2560, up = c.M == 6912 && c.K == 2560;
      if (c.N != 1 && c.N != 32) return false;
      if (c.kernel == nullptr) return qo || up;
      return qo && !c.cold && c.threads == run_options().threads.back();
    }
  }
  return false;
}

}  // namespace

void register_mat_rows(
    TypeId wtype, const std::string& impl, const MatShape& s,
    const std::function<bool(int64_t N, int threads, bool cold)>& keep,
    const std::function<void(benchmark::State&, int64_t N, int threads, bool cold)>& run) {
  for (int64_t N : matmul_batches())
    for (int t : run_options().threads)
      for (bool cold : {false, true}) {
        if (!keep(N, t, cold)) continue;
        CaseName name;
        name.family = N == 1 ? "gemv" : "gemm";
        name.labels = {type_label(wtype), impl};
        name.args = {{"M", std::to_string(s.M)},
                     {"K", std::to_string(s.K)},
                     {"N", std::to_string(N)},
                     {"threads", std::to_string(t)}};
        name.residency = cold ? "cold" : "hot";
        registered_names().push_back(name.str());
        benchmark::RegisterBenchmark(name.str().c_str(), [run, N, t, cold](benchmark::State& st) {
          run(st, N, t, cold);
        })->UseRealTime();
      }
}

void register_matmul_benchmarks() {
  const Options& o = run_options();
  for (TypeId wtype : weight_formats()) {
    std::vector<const KernelInfo*> impls = {nullptr};  // dispatch first
    for (const KernelInfo& k : all_kernels())
      if (k.op == Op::kMatmul && k.wtype == wtype && (!o.isa || k.isa == *o.isa))
        impls.push_back(&k);
    for (const MatShape& s : all_mat_shapes()) {
      if (s.K % k_block(wtype) != 0) {
        registration_notes().push_back(
            "gemv/gemm " + type_label(wtype) + " " + std::string(s.model) + " " +
            std::string(s.role) + " M:" + std::to_string(s.M) + " K:" + std::to_string(s.K) +
            " skipped: K is not a multiple of the block (" + std::to_string(k_block(wtype)) + ")");
        continue;
      }
      for (const KernelInfo* k : impls)
        register_mat_rows(
            wtype, k ? impl_label(*k) : "dispatch", s,
            [&](int64_t N, int t, bool cold) {
              return in_mode(MatCase{wtype, k, s.M, s.K, N, t, cold}, s.model == "2b4t");
            },
            [wtype, k, M = s.M, K = s.K](benchmark::State& st, int64_t N, int t, bool cold) {
              run_case(st, MatCase{wtype, k, M, K, N, t, cold});
            });
    }
  }
}

}  // namespace bitnet::bench
