// The inputs every benchmark family shares: seeded random streams, thread pools, and quantized
// weight matrices (one hot copy, or a cold set rotated through DRAM).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/bench/options.h"
#include "bitnet/formats/types.h"
#include "bitnet/kernels/threadpool.h"

namespace bitnet::bench {

// A random stream fixed by (run seed, case name): every case sees the same inputs whatever the
// order cases run in (random interleaving, filters), and BITNET_SEED reproduces them.
class Rng {
 public:
  Rng(uint64_t seed, std::string_view stream);
  uint64_t next();
  float uniform();  // [-1, 1)
 private:
  uint64_t s_;
};
void fill_uniform(std::span<float> x, Rng& rng);

// One thread pool per thread count, created on first use and kept for the run.
ThreadPool& pool_for(int threads);

// Quantized weight matrices shared by the cases of a (format, M, K): one hot copy, plus the
// cold set (copies filling > 4x the L3) built on demand.
struct WeightMatrix {
  TypeId wtype;
  int64_t M, K;
  size_t row_bytes;              // bytes of one row
  size_t tensor_bytes;           // M*row_bytes (+ the I2_S trailer)
  float w_scale;                 // I2_S per-tensor scale, else 1
  std::vector<uint8_t*> copies;  // copies[0] is the hot one
  std::vector<std::unique_ptr<uint8_t[], void (*)(uint8_t*)>> storage;
};
// The floats a (format, M, K) weight matrix is quantized from, and the activations of a
// (format, K, N) matmul case (column n = x[n*K ...]): seeded per case, the same for every kernel.
std::vector<float> weight_source(TypeId wtype, int64_t M, int64_t K);
std::vector<float> act_source(TypeId wtype, int64_t K, int64_t N);
// Hot (1 copy) or cold (>= 4x L3 of copies) weights; the returned object lives for the run
// (cold sets of other shapes are released to bound memory).
const WeightMatrix& weights_for(TypeId wtype, int64_t M, int64_t K, bool cold);
// How many bytes of rotated copies make a cold set: min(4x the measured L3, a quarter of RAM).
size_t cold_set_bytes();

}  // namespace bitnet::bench
