// The peers' CPU kernels (llama.cpp's ggml, bitnet.cpp's fork of it) loaded at run time from
// their shared libraries, behind the same row-range contract as our matmul kernels, so the
// suite can time them on the same inputs with the same thread pool. Nothing of theirs is linked
// at build time. docs/compare.md ("Peer kernel rows").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/formats/types.h"
#include "bitnet/kernels/kernel.h"

namespace bitnet::peers {

// A peer library that cannot be used: the message names the library file, the symbol or field,
// and what was expected.
class PeerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PeerKind { kLlamaCpp, kBitnetCpp };
std::string_view peer_name(PeerKind kind);  // "llama.cpp", "bitnet.cpp"

struct PeerSpec {
  PeerKind kind;
  std::string dir;     // as given: a build's bin/ (or a build or checkout root, see find)
  std::string origin;  // "--bitnet_peer", "LLAMA_CPP_DIR", "BITNET_CPP_DIR"
};
// "llama.cpp:DIR" or "bitnet.cpp:DIR". Throws PeerError naming the text and the accepted forms.
PeerSpec parse_peer_spec(std::string_view text, std::string origin = "--bitnet_peer");
// LLAMA_CPP_DIR then BITNET_CPP_DIR from the environment (unset or empty: none).
std::vector<PeerSpec> peer_specs_from_environment();

// One weight format of a peer: its packing, its activation quantizer and its dot product.
// Weights and activations use the layouts of MatmulArgs / QuantizedActs (bitnet/kernel.h),
// which are the peers' own (TQ rows of blocks; I2_S rows of K/4 bytes + one f32 scale after the
// tensor; Q8_K columns of blocks; I8_S columns of int8 with per-column scale and sum).
class PeerFormat {
 public:
  virtual ~PeerFormat() = default;
  TypeId wtype() const { return wtype_; }
  TypeId atype() const { return atype_; }
  // Empty when usable, else why not (an ABI check that failed); the other calls then throw.
  const std::string& error() const { return error_; }
  // The peer's name for the kernel, for labels: "ggml_vec_dot_tq2_0_q8_K via type traits".
  const std::string& kernel_name() const { return kernel_name_; }

  // Bytes of M rows of K weights as the peer packs them (I2_S: + 32 trailer bytes).
  virtual size_t tensor_bytes(int64_t M, int64_t K) const = 0;
  // Packs M x K floats with the peer's quantizer into dst (tensor_bytes(M, K), zeroed first).
  virtual void pack(const float* w, int64_t M, int64_t K, uint8_t* dst) const = 0;
  // One activation column with the peer's quantizer (QuantActFn contract of bitnet/kernel.h).
  virtual void quantize_act(const float* x, int64_t K, uint8_t* dst, float* scale,
                            int32_t* sum) const = 0;
  // What the peer's vec_dot writes for one weight row and one activation column (I2_S: the raw
  // Σ code·q before the epilogue; TQ: the finished f32 dot).
  virtual float raw_dot(const uint8_t* w_row, const uint8_t* x_col, int64_t K) const = 0;
  // Rows [m_begin, m_end) of y for every column, as ggml's mul_mat computes them on one thread:
  // 16-row x 16-column blocks, one vec_dot per (row, column); I2_S adds bitnet.cpp's epilogue
  // y = (raw - sum[n]) / scale[n] * w_scale. Same contract as MatmulFn.
  virtual void matmul_rows(const MatmulArgs& a, int64_t m_begin, int64_t m_end) const = 0;

 protected:
  PeerFormat(TypeId w, TypeId a) : wtype_(w), atype_(a) {}
  TypeId wtype_, atype_;
  std::string error_, kernel_name_;
};

// A loaded peer. Loading opens the libraries (RTLD_LOCAL; bitnet.cpp's with RTLD_DEEPBIND too,
// because its libggml exports the same ggml_* names as upstream's and must bind its own) and
// resolves every symbol; a missing file or symbol throws PeerError. A format whose ABI checks
// fail is still listed, with error() set, so its rows can report why.
class Peer {
 public:
  virtual ~Peer() = default;
  static std::unique_ptr<Peer> load(const PeerSpec& spec);

  PeerKind kind() const { return kind_; }
  std::string_view name() const { return peer_name(kind_); }
  const PeerSpec& spec() const { return spec_; }
  // Absolute paths of the libraries opened, in load order.
  const std::vector<std::string>& library_paths() const { return paths_; }
  // "version: 4748 (c392e5094)" when it could be read (llama-cli --version beside the
  // libraries), else empty; build_commit "c392e5094" or empty.
  std::string version;
  std::string build_commit;

  const std::vector<std::unique_ptr<PeerFormat>>& formats() const { return formats_; }
  const PeerFormat* format(TypeId wtype) const;  // nullptr when the peer lacks it

 protected:
  Peer(PeerKind kind, PeerSpec spec) : kind_(kind), spec_(std::move(spec)) {}
  PeerKind kind_;
  PeerSpec spec_;
  std::vector<std::string> paths_;
  std::vector<std::unique_ptr<PeerFormat>> formats_;
};

// False in sanitizer builds, whose runtime refuses RTLD_DEEPBIND: bitnet.cpp's library then fails
// to load with an error saying so (llama.cpp's needs no DEEPBIND and loads either way).
bool deep_bind_supported();

// The library files a peer needs, searched for as bitnet-compare searches for binaries:
// DIR/build/bin, DIR/bin, DIR (the first directory holding all of them wins). Throws PeerError
// listing every place looked.
std::vector<std::string> find_peer_libraries(const PeerSpec& spec);

}  // namespace bitnet::peers
