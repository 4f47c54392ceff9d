// The matmul/quantize/dequantize driver: argument checks, kernel choice, row splitting.
#include "bitnet/kernels/driver.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace bitnet {
namespace {

constexpr size_t kColAlign = 64;

std::string tname(TypeId t) {
  const auto tr = type_traits(static_cast<uint32_t>(t));
  return tr ? std::string(tr->name) : "id " + std::to_string(static_cast<uint32_t>(t));
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where + ": " + what);
}

// Block length the weight format imposes on K.
int64_t k_block(TypeId wtype) {
  const auto t = type_traits(wtype);
  if (t && t->act_type) return t->block_elems;
  fail("matmul", "weight type " + tname(wtype) + " is not a ternary format (TQ1_0, TQ2_0, I2_S)");
}

void check_kernel(const char* where, const KernelInfo& k, Op op, TypeId wtype) {
  if (k.op != op)
    fail(where, "kernel " + std::string(k.name) + " is a " + std::string(op_name(k.op)) +
                    " kernel, not " + std::string(op_name(op)));
  const bool ok = op == Op::kQuantAct ? k.atype == act_type_for(wtype) : k.wtype == wtype;
  if (!ok) fail(where, "kernel " + std::string(k.name) + " does not handle " + tname(wtype));
  if (!kernel_available(k))
    fail(where, "kernel " + std::string(k.name) + " needs " + std::string(isa_name(k.isa)) +
                    ", which this CPU lacks");
}

}  // namespace

void ActBuffer::AlignedDelete::operator()(uint8_t* p) const {
  ::operator delete[](p, std::align_val_t(kColAlign));
}

void ActBuffer::resize(TypeId type, int64_t K, int64_t N) {
  if (type != TypeId::kQ8_K && type != TypeId::kI8)
    fail("ActBuffer", "activation type " + tname(type) + " is not Q8_K or I8 (I8_S)");
  if (K < 1 || N < 1)
    fail("ActBuffer", "K = " + std::to_string(K) + ", N = " + std::to_string(N) + " (need >= 1)");
  if (type == TypeId::kQ8_K && K % kQK_K != 0)
    fail("ActBuffer", "K = " + std::to_string(K) + " is not a multiple of the Q8_K block (256)");
  const size_t raw = type == TypeId::kQ8_K ? static_cast<size_t>(K / kQK_K) * sizeof(block_q8_K)
                                           : static_cast<size_t>(K);
  const size_t col = (raw + kColAlign - 1) / kColAlign * kColAlign;
  const size_t need = col * static_cast<size_t>(N);
  if (need > capacity_) {
    data_.reset(static_cast<uint8_t*>(::operator new[](need, std::align_val_t(kColAlign))));
    capacity_ = need;
  }
  type_ = type;
  K_ = K;
  N_ = N;
  col_bytes_ = col;
  scale_.assign(static_cast<size_t>(N), 0.0f);
  sum_.assign(static_cast<size_t>(N), 0);
}

QuantizedActs ActBuffer::view() const {
  QuantizedActs v;
  v.type = type_;
  v.K = K_;
  v.N = N_;
  v.data = data_.get();
  v.col_bytes = col_bytes_;
  v.scale = scale_.data();
  v.sum = sum_.data();
  return v;
}

void quantize_acts(TypeId wtype, const float* x, int64_t K, int64_t N, int64_t x_col_stride,
                   ActBuffer& out, const KernelInfo* k, ThreadPool* pool) {
  const TypeId atype = act_type_for(wtype);  // throws for non-ternary formats
  const int64_t block = k_block(wtype);
  if (K < 1 || K % block != 0)
    fail("quantize_acts", "K = " + std::to_string(K) + " is not a positive multiple of the " +
                              tname(wtype) + " block (" + std::to_string(block) + ")");
  if (N < 1) fail("quantize_acts", "N = " + std::to_string(N) + " (need >= 1)");
  if (x == nullptr) fail("quantize_acts", "x is null");
  if (N > 1 && x_col_stride < K)
    fail("quantize_acts",
         "x_col_stride = " + std::to_string(x_col_stride) + " < K = " + std::to_string(K));
  const KernelInfo& kern = k ? *k : select_kernel(Op::kQuantAct, wtype, N);
  check_kernel("quantize_acts", kern, Op::kQuantAct, wtype);
  out.resize(atype, K, N);
  const auto columns = [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n)
      kern.quant_act(x + n * x_col_stride, K, out.col(n), out.scales() + n, out.sums() + n);
  };
  // A few microseconds per column: a pool round trip only pays off for a batch.
  if (pool == nullptr) return columns(0, N);
  pool->parallel_ranges(N, 1, 8, columns);
}

size_t weight_row_bytes(TypeId wtype, int64_t K) {
  const int64_t block = k_block(wtype);
  if (K < 1 || K % block != 0)
    fail("weight_row_bytes", "K = " + std::to_string(K) + " is not a positive multiple of the " +
                                 tname(wtype) + " block (" + std::to_string(block) + ")");
  const auto tr = type_traits(static_cast<uint32_t>(wtype));
  return static_cast<size_t>(K / tr->block_elems) * static_cast<size_t>(tr->block_bytes);
}

void matmul(const MatmulArgs& a, ThreadPool* pool, const KernelInfo* k) {
  const char* where = "matmul";
  const size_t row = weight_row_bytes(a.wtype, a.K);  // checks wtype and K
  if (a.M < 1) fail(where, "M = " + std::to_string(a.M) + " (need >= 1)");
  if (a.w == nullptr) fail(where, "weights pointer is null");
  if (a.w_row_bytes < row)
    fail(where, "w_row_bytes = " + std::to_string(a.w_row_bytes) + " < " + std::to_string(row) +
                    " bytes of one " + tname(a.wtype) + " row of K = " + std::to_string(a.K));
  const TypeId atype = act_type_for(a.wtype);
  if (a.x.type != atype)
    fail(where, "activations are " + tname(a.x.type) + " but " + tname(a.wtype) + " needs " +
                    tname(atype) + (atype == TypeId::kI8 ? " (I8_S)" : ""));
  if (a.x.K != a.K)
    fail(where,
         "activations have K = " + std::to_string(a.x.K) + ", weights K = " + std::to_string(a.K));
  if (a.x.N < 1 || a.x.data == nullptr)
    fail(where, "activations are empty (N = " + std::to_string(a.x.N) + ")");
  const size_t min_col = atype == TypeId::kQ8_K
                             ? static_cast<size_t>(a.K / kQK_K) * sizeof(block_q8_K)
                             : static_cast<size_t>(a.K);
  if (a.x.N > 1 && a.x.col_bytes < min_col)
    fail(where, "activation col_bytes = " + std::to_string(a.x.col_bytes) + " < " +
                    std::to_string(min_col));
  if (atype == TypeId::kI8 && (a.x.scale == nullptr || a.x.sum == nullptr))
    fail(where, "I8_S activations need scale and sum arrays");
  if (a.y == nullptr) fail(where, "output pointer is null");
  if (a.x.N > 1 && a.y_col_stride < a.M)
    fail(where,
         "y_col_stride = " + std::to_string(a.y_col_stride) + " < M = " + std::to_string(a.M));
  const KernelInfo& kern = k ? *k
                             : select_kernel(Op::kMatmul, a.wtype, a.x.N, pool ? pool->size() : 1,
                                             a.weights, MatmulShape{a.M, a.K});
  check_kernel(where, kern, Op::kMatmul, a.wtype);

  // Row ranges start at multiples of tile_m (the kernel contract).
  if (pool == nullptr) return kern.matmul(a, 0, a.M);
  pool->parallel_ranges(a.M, kern.tile_m, 0,
                        [&](int64_t m0, int64_t m1) { kern.matmul(a, m0, m1); });
}

void dequantize(TypeId type, const uint8_t* src, float* dst, int64_t n, float tensor_scale,
                const KernelInfo* k) {
  if (src == nullptr || dst == nullptr) fail("dequantize", "null pointer");
  const bool ternary = type == TypeId::kTQ1_0 || type == TypeId::kTQ2_0 || type == TypeId::kI2_S;
  if (!ternary && k == nullptr) return dequantize_row(type, src, dst, n, tensor_scale);
  const int64_t block = k_block(type);
  if (n < 0 || n % block != 0)
    fail("dequantize", tname(type) + ": n = " + std::to_string(n) +
                           " is not a multiple of the block (" + std::to_string(block) + ")");
  const KernelInfo& kern = k ? *k : select_kernel(Op::kDequant, type, 1);
  check_kernel("dequantize", kern, Op::kDequant, type);
  kern.dequant(src, dst, n, tensor_scale);
}

float i2s_tensor_scale(const uint8_t* data, int64_t nelements) {
  if (data == nullptr) fail("i2s_tensor_scale", "null pointer");
  if (nelements < 1 || nelements % kI2sBlock != 0)
    fail("i2s_tensor_scale",
         "nelements = " + std::to_string(nelements) + " is not a positive multiple of 128");
  float s;
  std::memcpy(&s, data + nelements / 4, sizeof s);
  return s;
}

float tensor_scale(TypeId type, const uint8_t* data, int64_t nelements) {
  const auto t = type_traits(type);
  return t && t->per_tensor_scale ? i2s_tensor_scale(data, nelements) : 1.0f;
}

}  // namespace bitnet
