// The benchmark families. Each registers its cases from the kernel registry and the shape tables
// (bench/shapes.h) for the run's mode (run_options()); main calls them in this order.
#pragma once

#include <string>
#include <vector>

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

// Resolves (generating if needed) and loads the decode models that have a case passing `filter`,
// and records each in the context. Throws fixtures::Error / gguf::Error naming the model.
void prepare_decode_models(const std::string& filter);

// Notes about cases the tables could not produce (e.g. a shape whose K is not a multiple of a
// format's block); printed at start-up and recorded in the JSON context.
std::vector<std::string>& registration_notes();

// Names of every registered case (for filter matching before the run).
std::vector<std::string>& registered_names();

}  // namespace bitnet::bench
