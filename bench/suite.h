// The benchmark families. Each registers its cases from the kernel registry and the shape tables
// (bench/shapes.h) for the run's mode (run_options()); main calls them in this order.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bitnet/bench/inputs.h"
#include "bitnet/bench/shapes.h"
#include "bitnet/formats/types.h"

namespace bitnet::bench {

void register_probe_benchmarks();      // bench_probe.cc:     probe/<limit>[/<isa>]/threads:T
void register_matmul_benchmarks();     // bench_matmul.cc:
                                       // gemv|gemm/<format>/<impl>/M/K/N/threads/hot|cold
void register_dequant_benchmarks();    // bench_dequant.cc:
                                       // dequant/<format>/<impl>/<f32|f16>/rows/K/threads
void register_quant_act_benchmarks();  // bench_quant_act.cc:
                                       // quant_act/<q8_k|i8_s>/<impl>/N/K/threads
void register_dense_benchmarks();      // bench_dense.cc:
                                       // dense/<op>_<weights>_<acts>/<kernel|dispatch>/M/K/threads
void register_decode_benchmarks();  // bench_decode.cc:    decode|prefill/<model>/pos|tokens/threads

void register_peer_benchmarks();  // bench_peers.cc: the peers' kernels (--bitnet_peer) as
                                  // gemv|gemm/<format>/peer.<name>/... and
                                  // quant_act/.../peer.<name>

// The matmul output check shared with the peer rows: the rows compared for M, and our scalar
// reference's values there (row-major over check rows, then columns; cached).
std::vector<int64_t> matmul_check_rows(int64_t M);
// Registers the gemv|gemm/<format>/<impl>/M/K/N/threads/hot|cold rows of one shape: every
// batch, thread count and residency of the run that keep(N, threads, cold) keeps, each timing
// run(st, N, threads, cold). Our rows and the peers' share it, so their names cannot drift apart.
void register_mat_rows(
    TypeId wtype, const std::string& impl, const MatShape& s,
    const std::function<bool(int64_t N, int threads, bool cold)>& keep,
    const std::function<void(benchmark::State&, int64_t N, int threads, bool cold)>& run);
// GOPS, bits_per_weight, bw_frac, peak_frac and bytes of a gemv/gemm row (after its loop).
// " (bw_frac … > 1.1 on a cold row …)" when a cold row streams faster than the probed DRAM
// limit allows (the limit or the cold set is then wrong), else "".
std::string cold_bw_note(const WeightMatrix& w, int threads, bool cold, int64_t iterations,
                         double seconds);
void set_matmul_counters(benchmark::State& st, const WeightMatrix& w, int64_t N, int threads,
                         bool cold);
const std::vector<float>& matmul_reference_values(TypeId wtype, int64_t M, int64_t K, int64_t N);

// Resolves (generating if needed) and loads the decode models that have a case passing `filter`,
// and records each in the context. Throws fixtures::Error / gguf::Error naming the model.
void prepare_decode_models(const std::string& filter);

// Notes about cases the tables could not produce (e.g. a shape whose K is not a multiple of a
// format's block); printed at start-up and recorded in the JSON context.
std::vector<std::string>& registration_notes();

// Names of every registered case (for filter matching before the run).
std::vector<std::string>& registered_names();

}  // namespace bitnet::bench
