#include "bitnet/bench/inputs.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include "bitnet/bench/labels.h"
#include "bitnet/bench/options.h"
#include "bitnet/bench/probe.h"
#include "bitnet/formats/blocks.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::bench {
namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void aligned_delete(uint8_t* p) {
  std::free(p);
}

std::unique_ptr<uint8_t[], void (*)(uint8_t*)> aligned_bytes(size_t n) {
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, (n + 63) / 64 * 64));
  if (!p) throw std::runtime_error("cannot allocate " + std::to_string(n) + " bytes of weights");
  return {p, aligned_delete};
}

}  // namespace

Rng::Rng(uint64_t seed, std::string_view stream) : s_(seed) {
  // FNV-1a of the stream name, mixed with the seed.
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : stream) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ull;
  s_ ^= h;
  splitmix(s_);
}
uint64_t Rng::next() {
  return splitmix(s_);
}
float Rng::uniform() {
  return static_cast<float>(next() >> 40) * (2.0f / 16777216.0f) - 1.0f;
}

void fill_uniform(std::span<float> x, Rng& rng) {
  size_t i = 0;
  for (; i + 2 <= x.size(); i += 2) {  // two 24-bit values per draw
    uint64_t r = rng.next();
    x[i] = static_cast<float>(r & 0xffffff) * (2.0f / 16777216.0f) - 1.0f;
    x[i + 1] = static_cast<float>((r >> 32) & 0xffffff) * (2.0f / 16777216.0f) - 1.0f;
  }
  for (; i < x.size(); ++i) x[i] = rng.uniform();
}

ThreadPool& pool_for(int threads) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<ThreadPool>> pools;
  std::lock_guard lock(mu);
  auto& p = pools[threads];
  if (!p) p = std::make_unique<ThreadPool>(threads);
  return *p;
}

size_t cold_set_bytes() {
  // 4x the measured last level, but never more than a quarter of RAM (a CI runner with a
  // hypervisor-reported 480 MiB L3 would otherwise allocate ~2 GB per cold case).
  const size_t ram = physical_memory_bytes();
  const size_t cap = ram ? ram / 4 : size_t{1} << 30;
  return std::min(4 * measured_cache_sizes().l3, cap);
}

std::vector<float> weight_source(TypeId wtype, int64_t M, int64_t K) {
  Rng rng(run_options().seed,
          "weights/" + type_label(wtype) + "/" + std::to_string(M) + "x" + std::to_string(K));
  std::vector<float> x(static_cast<size_t>(M * K));
  fill_uniform(x, rng);
  return x;
}

std::vector<float> act_source(TypeId wtype, int64_t K, int64_t N) {
  Rng rng(run_options().seed,
          "acts/" + type_label(wtype) + "/" + std::to_string(K) + "/" + std::to_string(N));
  std::vector<float> x(static_cast<size_t>(K * N));
  fill_uniform(x, rng);
  return x;
}

const WeightMatrix& weights_for(TypeId wtype, int64_t M, int64_t K, bool cold) {
  static std::mutex mu;
  static std::map<std::tuple<TypeId, int64_t, int64_t>, std::unique_ptr<WeightMatrix>> hot;
  static std::unique_ptr<WeightMatrix> cold_set;  // only the latest: they are large
  std::lock_guard lock(mu);
  auto key = std::make_tuple(wtype, M, K);
  auto& h = hot[key];
  if (!h) {
    h = std::make_unique<WeightMatrix>();
    h->wtype = wtype;
    h->M = M;
    h->K = K;
    h->row_bytes = *row_bytes(static_cast<uint32_t>(wtype), static_cast<uint64_t>(K));
    h->tensor_bytes = quantized_bytes(wtype, M * K);
    // Weights ~ uniform floats: quantizing gives about 1/3 of each trit value per block, the
    // same mix real ternary models have. Seeded per (format, shape) only: every kernel and
    // thread count multiplies the same matrix.
    const std::vector<float> x = weight_source(wtype, M, K);
    auto buf = aligned_bytes(h->tensor_bytes);
    quantize(wtype, x.data(), buf.get(), M * K);
    h->w_scale = 1.0f;
    if (wtype == TypeId::kI2_S) std::memcpy(&h->w_scale, buf.get() + M * K / 4, sizeof(float));
    h->copies.push_back(buf.get());
    h->storage.push_back(std::move(buf));
  }
  if (!cold) return *h;
  if (cold_set && cold_set->wtype == wtype && cold_set->M == M && cold_set->K == K)
    return *cold_set;
  cold_set.reset();
  auto c = std::make_unique<WeightMatrix>();
  c->wtype = wtype;
  c->M = M;
  c->K = K;
  c->row_bytes = h->row_bytes;
  c->tensor_bytes = h->tensor_bytes;
  c->w_scale = h->w_scale;
  // Identical contents (the output check stays valid), distinct addresses: >= 2 copies and
  // > 4x L3 in total, so by the time a copy comes round again it has left every cache.
  const size_t n = std::max<size_t>(2, (cold_set_bytes() + h->tensor_bytes - 1) / h->tensor_bytes);
  for (size_t i = 0; i < n; ++i) {
    auto buf = aligned_bytes(h->tensor_bytes);
    std::memcpy(buf.get(), h->copies[0], h->tensor_bytes);
    c->copies.push_back(buf.get());
    c->storage.push_back(std::move(buf));
  }
  cold_set = std::move(c);
  return *cold_set;
}

}  // namespace bitnet::bench
