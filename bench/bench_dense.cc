// dense/<op>_<weights>_<acts>/<kernel name|dispatch>/M:rows/K:n/threads:1: the engine's dense
// kernels (kernels.inc, "Dense kernels") at the shapes a 2B4T decode step runs them, one thread:
//  - lm_head: dot f16 x f32 (the tied F16 embedding, rows in pairs), f16 x f16, q6k x q8k and
//    q8_0 x q8_0 over vocab 128256 x 2560;
//  - the F32 model's linears: dot f32 x f32, 2560 x 2560;
//  - attention at 1024 cached positions, head_dim 128: dot f32 over K rows, axpy f32 over V rows,
//    widen f16 of the rows, exp_sum and round over the 1024 scores (K:1);
//  - the f16 attention kernels at 2048 cached positions of one 2B4T KV head (rows strided by the
//    5-head cache row, 4 query heads per KV head): attn_qk's scores, attn_pv's weighted sum.
// Every registered kernel of the op and type pair runs, plus what dispatch selects. Where the
// contract is exact (q6k, q8_0, widen, round) the output is checked against the reference.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/options.h"
#include "bitnet/bench/probe.h"
#include "bitnet/formats/blocks.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/results/naming.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

struct DenseCase {
  Op op;
  TypeId w, a;
  const KernelInfo* kernel;  // nullptr: dispatch
  int64_t M, K;
};

size_t row_bytes(TypeId t, int64_t n) {
  switch (t) {
    case TypeId::kF32:
      return n * sizeof(float);
    case TypeId::kF16:
      return n * sizeof(fp16_t);
    case TypeId::kQ6_K:
      return n / kQK_K * sizeof(block_q6_K);
    case TypeId::kQ8_K:
      return n / kQK_K * sizeof(block_q8_K);
    case TypeId::kQ8_0:
      return n / 32 * sizeof(block_q8_0);
    case TypeId::kQ4_0:
      return n / 32 * sizeof(block_q4_0);
    default:
      return 0;
  }
}

// rows x n values of type t: f32/f16 normal(0, 1), block formats random codes with finite, small
// scales (their kernels' contracts hold for any codes; Q8_K's bsums are part of its format). Cached
// per shape: the lm_head matrices are the size of the model's (656 MiB in F16).
const std::vector<uint8_t>& data_for(TypeId t, int64_t rows, int64_t n) {
  static std::map<std::tuple<TypeId, int64_t, int64_t>, std::unique_ptr<std::vector<uint8_t>>>
      cache;
  auto& slot = cache[{t, rows, n}];
  if (slot) return *slot;
  const size_t rb = row_bytes(t, n);
  slot = std::make_unique<std::vector<uint8_t>>(rb * rows);
  std::vector<uint8_t>& v = *slot;
  std::mt19937 rng(static_cast<uint32_t>(rows * 31 + n));
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::uniform_int_distribution<int> byte(0, 255);
  if (t == TypeId::kF32) {
    for (size_t i = 0; i < v.size(); i += 4) {
      const float f = nd(rng);
      std::memcpy(&v[i], &f, 4);
    }
  } else if (t == TypeId::kF16) {
    for (size_t i = 0; i < v.size(); i += 2) {
      const fp16_t h = fp32_to_fp16(nd(rng));
      std::memcpy(&v[i], &h, 2);
    }
  } else {
    for (auto& b : v) b = static_cast<uint8_t>(byte(rng));
    for (int64_t r = 0; r < rows; ++r) {
      uint8_t* p = v.data() + r * rb;
      if (t == TypeId::kQ6_K)
        for (int64_t b = 0; b < n / kQK_K; ++b)
          reinterpret_cast<block_q6_K*>(p)[b].d = fp32_to_fp16(0.001f);
      if (t == TypeId::kQ8_0)
        for (int64_t b = 0; b < n / 32; ++b)
          reinterpret_cast<block_q8_0*>(p)[b].d = fp32_to_fp16(0.01f);
      if (t == TypeId::kQ4_0)
        for (int64_t b = 0; b < n / 32; ++b)
          reinterpret_cast<block_q4_0*>(p)[b].d = fp32_to_fp16(0.01f);
      if (t == TypeId::kQ8_K)  // a valid Q8_K block: bsums are the sums of its qs
        for (int64_t b = 0; b < n / kQK_K; ++b) {
          block_q8_K& blk = reinterpret_cast<block_q8_K*>(p)[b];
          blk.d = 0.01f;
          for (int j = 0; j < kQK_K / 16; ++j) {
            int sum = 0;
            for (int e = 0; e < 16; ++e) sum += blk.qs[16 * j + e];
            blk.bsums[j] = static_cast<int16_t>(sum);
          }
        }
    }
  }
  return v;
}

std::string op_label(Op op, TypeId w, TypeId a) {
  const auto lower = [](TypeId t) {
    switch (t) {
      case TypeId::kQ6_K:
        return std::string("q6k");
      case TypeId::kQ8_K:
        return std::string("q8k");
      default: {
        std::string s = type_label(t);
        return s;
      }
    }
  };
  return std::string(op_name(op)) + "_" + lower(w) + "_" + lower(a);
}

constexpr int64_t kAttnKvHeads = 5, kAttnGroup = 4;  // 2B4T: 5 KV heads, 20 query heads

// The kernel on the whole case once (the lm_head: every row against one token; attention: one
// query head's rows), returning what the exactness check compares.
std::vector<float> run_once(const KernelInfo& k, const DenseCase& c, std::vector<float>& scratch) {
  const int64_t M = c.M, K = c.K;
  std::vector<float> out;
  switch (c.op) {
    case Op::kDot: {
      const auto& w = data_for(c.w, M, K);
      const auto& x = data_for(c.a, 1, K);
      out.resize(static_cast<size_t>(M));
      const size_t rb = row_bytes(c.w, K);
      const int64_t step = k.tile_m;  // the engine's call shape: one tile of rows per call
      for (int64_t m = 0; m < M; m += step) {
        const int64_t rows = M - m < step ? M - m : step;
        k.dot(w.data() + m * rb, rb, rows, x.data(), K, out.data() + m,
              m + step < M ? w.data() + (m + step) * rb : nullptr);
      }
      break;
    }
    case Op::kAxpy: {
      const auto& v = data_for(TypeId::kF32, M, K);
      const auto& p = data_for(TypeId::kF32, 1, M);
      out.assign(static_cast<size_t>(K), 0.0f);
      k.axpy(reinterpret_cast<const float*>(p.data()), v.data(), row_bytes(TypeId::kF32, K), M,
             out.data(), K);
      break;
    }
    case Op::kWiden: {
      const auto& src = data_for(TypeId::kF16, M, K);
      out.resize(static_cast<size_t>(M * K));
      k.convert(src.data(), out.data(), M * K);
      break;
    }
    case Op::kRound: {
      const auto& src = data_for(TypeId::kF32, M, K);
      out.resize(static_cast<size_t>(M * K));
      k.convert(src.data(), out.data(), M * K);
      break;
    }
    case Op::kExpSum: {
      // Scores below their max, as the softmax sees them.
      const auto& src = data_for(TypeId::kF32, M, K);
      scratch.resize(static_cast<size_t>(M * K));
      std::memcpy(scratch.data(), src.data(), scratch.size() * sizeof(float));
      for (float& s : scratch) s = -std::fabs(s) * 4.0f;
      const double sum = k.exp_sum(scratch.data(), M * K, 0.0f);
      out = {static_cast<float>(sum)};
      break;
    }
    case Op::kAttnQk:
    case Op::kAttnPv: {
      const auto& kv = data_for(TypeId::kF16, M, kAttnKvHeads * K);  // one head's rows, strided
      const size_t rb = row_bytes(TypeId::kF16, kAttnKvHeads * K);
      if (c.op == Op::kAttnQk) {
        const auto& q = data_for(TypeId::kF32, kAttnGroup, K);
        out.resize(static_cast<size_t>(kAttnGroup * M));
        k.attn_qk(reinterpret_cast<const float*>(q.data()), kAttnGroup, kv.data(), rb, M, K,
                  1.0f / std::sqrt(static_cast<float>(K)), out.data(), M);
      } else {
        const auto& p = data_for(TypeId::kF32, kAttnGroup, M);
        out.assign(static_cast<size_t>(kAttnGroup * K), 0.0f);
        k.attn_pv(reinterpret_cast<const float*>(p.data()), M, kAttnGroup, kv.data(), rb, M, K,
                  out.data(), K);
      }
      break;
    }
    default:
      break;
  }
  return out;
}

bool exact_contract(const DenseCase& c) {
  return c.op == Op::kWiden || c.op == Op::kRound || c.op == Op::kAttnQk || c.op == Op::kAttnPv ||
         (c.op == Op::kDot &&
          (c.w == TypeId::kQ6_K || c.w == TypeId::kQ8_0 || c.w == TypeId::kQ4_0));
}

void run_case(benchmark::State& st, const DenseCase& c) {
  if (c.kernel && !kernel_available(*c.kernel)) {
    st.SkipWithError(("CPU lacks " + std::string(isa_name(c.kernel->isa))).c_str());
    return;
  }
  try {
    const KernelInfo& k =
        c.kernel ? *c.kernel : select_dense_kernel_pinned(c.op, c.w, c.a, run_options().isa);
    std::vector<float> scratch;
    std::vector<float> got = run_once(k, c, scratch);
    for (auto _ : st) {
      benchmark::DoNotOptimize(run_once(k, c, scratch).data());
      benchmark::ClobberMemory();
    }
    if (exact_contract(c)) {
      const std::vector<float> want = run_once(dense_reference_kernel(c.op, c.w, c.a), c, scratch);
      if (std::string err = compare_exact(got, want, k.name); !err.empty()) {
        st.SkipWithError(err.c_str());
        return;
      }
    }
    // Bytes the kernel streams: the weight rows (dot), the V rows (axpy), the K or V rows of the
    // head (attn_qk, attn_pv), the input (others).
    const TypeId stored = c.op == Op::kRound || c.op == Op::kExpSum ? TypeId::kF32
                          : c.op == Op::kAxpy                       ? TypeId::kF32
                                                                    : c.w;
    const double bytes = static_cast<double>(row_bytes(stored, c.K)) * static_cast<double>(c.M);
    using C = benchmark::Counter;
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations() * bytes));
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * c.M * c.K);
    const double bw =
        MachineLimits::instance().read_bandwidth_for(static_cast<size_t>(bytes), 1, false);
    st.counters["bw_frac"] = C(bytes / bw, C::kIsIterationInvariantRate);
    st.SetLabel(std::string(k.name));
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

}  // namespace

void register_dense_benchmarks() {
  const Options& o = run_options();
  constexpr int64_t kVocab = 128256, kEmbd = 2560, kCtx = 1024, kLongCtx = 2048, kHeadDim = 128;
  // bitnet_b1_58-3B's gate/up projection (hidden 3200, ffn 8640): llama-quantize's Q4_0 fallback.
  constexpr int64_t kFallbackRows = 8640, kFallbackK = 3200;
  struct Shape {
    Op op;
    TypeId w, a;
    int64_t M, K;
    bool quick;  // also in --bitnet_quick
  };
  const Shape shapes[] = {
      {Op::kDot, TypeId::kF16, TypeId::kF32, kVocab, kEmbd, false},
      {Op::kDot, TypeId::kF16, TypeId::kF16, kVocab, kEmbd, false},
      {Op::kDot, TypeId::kQ6_K, TypeId::kQ8_K, kVocab, kEmbd, false},
      {Op::kDot, TypeId::kQ8_0, TypeId::kQ8_0, kVocab, kEmbd, false},
      {Op::kDot, TypeId::kQ4_0, TypeId::kQ8_0, kFallbackRows, kFallbackK, false},
      {Op::kDot, TypeId::kQ8_0, TypeId::kQ8_0, kFallbackRows, kFallbackK, false},
      {Op::kDot, TypeId::kF32, TypeId::kF32, kEmbd, kEmbd, false},
      {Op::kDot, TypeId::kF32, TypeId::kF32, kCtx, kHeadDim, true},
      {Op::kAxpy, TypeId::kF32, TypeId::kF32, kCtx, kHeadDim, true},
      {Op::kWiden, TypeId::kF16, TypeId::kF32, kCtx, kHeadDim, true},
      {Op::kExpSum, TypeId::kF32, TypeId::kF32, kCtx, 1, true},
      {Op::kRound, TypeId::kF16, TypeId::kF32, kCtx, 1, true},
      {Op::kAttnQk, TypeId::kF16, TypeId::kF32, kLongCtx, kHeadDim, true},
      {Op::kAttnPv, TypeId::kF16, TypeId::kF32, kLongCtx, kHeadDim, true},
  };
  for (const Shape& s : shapes) {
    if (o.mode == Mode::kQuick && !s.quick) continue;
    std::vector<const KernelInfo*> impls = {nullptr};
    for (const KernelInfo& k : all_kernels())
      if (k.op == s.op && k.wtype == s.w && k.atype == s.a && (!o.isa || k.isa == *o.isa))
        impls.push_back(&k);
    for (const KernelInfo* k : impls) {
      CaseName name{"dense",
                    {op_label(s.op, s.w, s.a), k ? std::string(k->name) : "dispatch"},
                    {{"M", std::to_string(s.M)}, {"K", std::to_string(s.K)}, {"threads", "1"}},
                    "",
                    "",
                    ""};
      registered_names().push_back(name.str());
      const DenseCase c{s.op, s.w, s.a, k, s.M, s.K};
      benchmark::RegisterBenchmark(name.str().c_str(), [c](benchmark::State& st) {
        run_case(st, c);
      })->UseRealTime();
    }
  }
}

}  // namespace bitnet::bench
