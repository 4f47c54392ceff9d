// bitnet.cpp's I2_S kernels from its fork's monolithic libggml: quantize_i2_s packs,
// quantize_row_i8_s quantizes activations, ggml_vec_dot_i2_i8_s gives Σ code·q, and the
// epilogue is the one its ggml_compute_forward_mul_mat applies.
#include <cstring>
#include <string>

#include "bitnet/formats/blocks.h"
#include "dl_library.h"
#include "peer_abi.h"
#include "peer_impl.h"

namespace bitnet::peers {
namespace {

class I2sFormat final : public PeerFormat {
 public:
  I2sFormat(abi::QuantizeI2sFn pack, abi::QuantizeRowI8sFn quant, abi::VecDotFn dot)
      : PeerFormat(TypeId::kI2_S, TypeId::kI8), pack_(pack), quant_(quant), dot_(dot) {
    kernel_name_ = "ggml_vec_dot_i2_i8_s (bitnet.cpp libggml)";
  }

  size_t tensor_bytes(int64_t M, int64_t K) const override {
    return static_cast<size_t>(M * K / 4) + 32;
  }
  void pack(const float* w, int64_t M, int64_t K, uint8_t* dst) const override {
    // quantize_i2_s counts elements in an int.
    if (M * K > int64_t{1} << 30)
      throw PeerError("quantize_i2_s: " + std::to_string(M) + "x" + std::to_string(K) +
                      " is too large for its int element count");
    std::memset(dst, 0, tensor_bytes(M, K));
    const size_t n = pack_(w, dst, M, K, nullptr);
    // It returns nrow * row_size / 4 + 32 with row_size = ggml_row_size(I2_S, K) = K bytes.
    if (n != tensor_bytes(M, K))
      throw PeerError("quantize_i2_s returned " + std::to_string(n) + " bytes for " +
                      std::to_string(M) + "x" + std::to_string(K) + ", expected " +
                      std::to_string(tensor_bytes(M, K)) +
                      " (if it is a multiple of the expected size minus 32, it bound another "
                      "ggml_row_size: the library was not opened with RTLD_DEEPBIND)");
  }
  void quantize_act(const float* x, int64_t K, uint8_t* dst, float* scale,
                    int32_t* sum) const override {
    quant_(x, dst, K, scale, sum);
  }
  float raw_dot(const uint8_t* w_row, const uint8_t* x_col, int64_t K) const override {
    float s = 0.0f;
    dot_(static_cast<int>(K), &s, 0, w_row, 0, x_col, 0, 1);
    return s;
  }
  void matmul_rows(const MatmulArgs& a, int64_t m0, int64_t m1) const override {
    const int K = static_cast<int>(a.K);
    const float w_scale = a.w_scale;
    for (int64_t n0 = 0; n0 < a.x.N; n0 += 16)
      for (int64_t r0 = m0; r0 < m1; r0 += 16)
        for (int64_t n = n0; n < n0 + 16 && n < a.x.N; ++n) {
          const uint8_t* x = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
          const float act_sum = static_cast<float>(a.x.sum[n]), act_scale = a.x.scale[n];
          float* y = a.y + n * a.y_col_stride;
          for (int64_t m = r0; m < r0 + 16 && m < m1; ++m) {
            float raw;
            dot_(K, &raw, 0, a.w + m * static_cast<int64_t>(a.w_row_bytes), 0, x, 0, 1);
            y[m] = (raw - act_sum) / act_scale * w_scale;
          }
        }
  }

 private:
  abi::QuantizeI2sFn pack_;
  abi::QuantizeRowI8sFn quant_;
  abi::VecDotFn dot_;
};

class BitnetPeer final : public Peer {
 public:
  BitnetPeer(PeerSpec spec, const std::vector<std::string>& libs)
      : Peer(PeerKind::kBitnetCpp, std::move(spec)) {
    // DEEPBIND: the fork exports upstream's ggml_* names; without it quantize_i2_s may bind
    // another libggml's ggml_row_size (where type 36 has no block) and divide by zero.
    lib_ = std::make_unique<DlLibrary>(libs[0], true);
    paths_ = {lib_->path()};
    auto pack = lib_->function<abi::QuantizeI2sFn>(
        "quantize_i2_s",
        "size_t (const float * src, void * dst, int64_t nrow, int64_t n_per_row, const float *)");
    auto quant = lib_->function<abi::QuantizeRowI8sFn>(
        "quantize_row_i8_s",
        "void (const float * x, void * y, int64_t n, float * scale, int32_t * sum)");
    auto dot = lib_->function<abi::VecDotFn>(
        "ggml_vec_dot_i2_i8_s",
        "void (int n, float * s, size_t bs, const void * x, size_t bx, const void * y, size_t "
        "by, int nrc)");
    formats_.push_back(std::make_unique<I2sFormat>(pack, quant, dot));
  }

 private:
  std::unique_ptr<DlLibrary> lib_;
};

}  // namespace

std::unique_ptr<Peer> load_bitnet_cpp(const PeerSpec& spec, const std::vector<std::string>& libs) {
  return std::make_unique<BitnetPeer>(spec, libs);
}

}  // namespace bitnet::peers
