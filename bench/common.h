// Helpers every benchmark family shares: labels for formats and kernels, seeded inputs, thread
// pools, cold-weight rotation and the output check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/kernel.h"
#include "bitnet/threadpool.h"
#include "bitnet/types.h"
#include "options.h"

namespace bitnet::bench {

// The options of this run (set once by main before registration).
const Options& run_options();
void set_run_options(const Options& o);

// Lower-case type labels used in names: "tq2_0", "tq1_0", "i2_s", "q8_k", "i8_s", "f32", "f16".
std::string type_label(TypeId t);

// The implementation segment of a kernel's benchmark name: its ISA plus the name's "_<impl>"
// suffix (e.g. "avx2", "avx2_lut"); the tile is appended ("avx2.4x4") only when another
// kernel of the same op, format and ISA/impl exists, so the common one-kernel-per-ISA case reads
// "gemv/tq2_0/avx2/...".
std::string impl_label(const KernelInfo& k);

// The ternary formats benchmarked, in name order of the tables.
std::span<const TypeId> weight_formats();
// The block K must be a multiple of for a format (TQ: 256, I2_S: 128).
int64_t k_block(TypeId wtype);

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
// Hot (1 copy) or cold (>= 4x L3 of copies) weights; the returned object lives for the run
// (cold sets of other shapes are released to bound memory).
const WeightMatrix& weights_for(TypeId wtype, int64_t M, int64_t K, bool cold);
// How many bytes of rotated copies make a cold set (4x the L3).
size_t cold_set_bytes();

// Bit-exact comparison of float outputs; returns an empty string when equal, else a message
// naming the first differing index and both values.
std::string compare_exact(std::span<const float> got, std::span<const float> want,
                          std::string_view what);

}  // namespace bitnet::bench
