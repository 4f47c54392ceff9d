// probe/<limit>[/<isa>]/threads:T: the machine limits as benchmark rows. Each iteration reads every
// thread's buffer once (or runs a burst of int8 dot instructions); `limit` is the cached value
// bw_frac / peak_frac are computed against, so a row far below it flags a noisy run.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/probe.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/results/naming.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

size_t bytes_per_thread(Limit l, int threads) {
  const CacheSizes& cs = cache_sizes();
  switch (l) {
    case Limit::kDramRead:
      return std::max<size_t>(4 * cs.l3, size_t{64} << 20) / threads / 64 * 64;
    case Limit::kL3Read:
      return cs.l3 / 2 / threads / 64 * 64;
    case Limit::kL2Read:
      return cs.l2 / 2 / 64 * 64;
    default:
      return 0;
  }
}

void run_read(benchmark::State& st, Limit l, int threads) {
  const size_t n = bytes_per_thread(l, threads);
  std::vector<std::unique_ptr<uint8_t[], void (*)(void*)>> bufs;
  for (int t = 0; t < threads; ++t) {
    auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, n));
    if (!p) {
      st.SkipWithError("probe: out of memory");
      return;
    }
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i);
    bufs.emplace_back(p, std::free);
  }
  auto read = fast_read_loop();
  ThreadPool& pool = pool_for(threads);
  std::vector<uint64_t> sink(threads);
  auto pass = [&] {
    pool.parallel_for(threads, [&](int64_t task, int) { sink[task] += read(bufs[task].get(), n); });
  };
  pass();
  for (auto _ : st) pass();
  benchmark::DoNotOptimize(sink.data());
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * static_cast<int64_t>(n) * threads);
  st.counters["limit_bytes_per_second"] = MachineLimits::instance().get(l, threads);
}

void run_int8(benchmark::State& st, Isa isa, int threads) {
  if (!cpu_has(isa)) {
    st.SkipWithError(("CPU lacks " + std::string(isa_name(isa))).c_str());
    return;
  }
  const Int8PeakLoop loop = int8_peak_loop(isa);
  ThreadPool& pool = pool_for(threads);
  std::vector<uint64_t> sink(threads), ops(threads);
  auto pass = [&] {
    pool.parallel_for(threads, [&](int64_t task, int) { sink[task] += loop(1 << 14, &ops[task]); });
  };
  pass();
  for (auto _ : st) pass();
  benchmark::DoNotOptimize(sink.data());
  double per_iter = 0;
  for (uint64_t o : ops) per_iter += static_cast<double>(o);
  using C = benchmark::Counter;
  st.counters["GOPS"] = C(per_iter * 1e-9, C::kIsIterationInvariantRate);
  st.counters["limit_GOPS"] = MachineLimits::instance().get(Limit::kInt8Peak, threads, isa) * 1e-9;
}

void add(const CaseName& name, std::function<void(benchmark::State&)> fn) {
  registered_names().push_back(name.str());
  benchmark::RegisterBenchmark(name.str().c_str(), fn)->UseRealTime();
}

}  // namespace

void register_probe_benchmarks() {
  for (int t : run_options().threads) {
    const std::string threads = std::to_string(t);
    for (Limit l : {Limit::kDramRead, Limit::kL3Read, Limit::kL2Read})
      add({"probe", {limit_name(l)}, {{"threads", threads}}, "", "", ""},
          [l, t](benchmark::State& st) { run_read(st, l, t); });
    for (Isa isa : int8_peak_isas())
      add({"probe", {"int8_peak", std::string(isa_name(isa))}, {{"threads", threads}}, "", "", ""},
          [isa, t](benchmark::State& st) { run_int8(st, isa, t); });
  }
}

}  // namespace bitnet::bench
