// llama.cpp's CPU kernels through its public type-traits API: libggml-base for packing
// (ggml_quantize_chunk) and the layout cross-checks, libggml-cpu for from_float / vec_dot.
#include <cstring>
#include <string>

#include "bitnet/formats/blocks.h"
#include "dl_library.h"
#include "peer_abi.h"
#include "peer_impl.h"

namespace bitnet::peers {
namespace {

struct GgmlBase {
  abi::GetTypeTraitsFn get_type_traits;
  abi::TypeNameFn type_name;
  abi::BlckSizeFn blck_size;
  abi::TypeSizeFn type_size;
  abi::QuantizeChunkFn quantize_chunk;
};

struct Expected {
  int type;
  const char* name;  // ggml_type_name
  int64_t blck;
  size_t size;
};

// Reads a type's traits through our declared layout and checks every field we use against the
// layout-independent accessor functions and against the format's definition. Returns "" or why.
std::string check_type(const GgmlBase& b, const std::string& lib, const Expected& e) {
  const abi::TypeTraits* t = b.get_type_traits(e.type);
  const std::string what = lib + ": ggml type " + std::to_string(e.type) + " (" + e.name + ")";
  if (t == nullptr) return what + ": ggml_get_type_traits returned null";
  const char* fn_name = b.type_name(e.type);
  if (fn_name == nullptr || std::strcmp(fn_name, e.name) != 0)
    return what + ": ggml_type_name says \"" + (fn_name ? fn_name : "(null)") + "\", expected \"" +
           e.name + "\" (the type ids changed)";
  if (t->type_name != fn_name || b.blck_size(e.type) != t->blck_size ||
      b.type_size(e.type) != t->type_size)
    return what + ": struct ggml_type_traits does not have the layout we declared (type_name, " +
           "blck_size, type_size disagree with ggml_type_name/ggml_blck_size/ggml_type_size)";
  if (t->blck_size != e.blck || t->type_size != e.size)
    return what + ": block of " + std::to_string(t->blck_size) + " elements / " +
           std::to_string(t->type_size) + " bytes, expected " + std::to_string(e.blck) + " / " +
           std::to_string(e.size);
  return {};
}

class LlamaFormat final : public PeerFormat {
 public:
  LlamaFormat(TypeId w, const GgmlBase& base, const abi::TypeTraitsCpu* wt,
              const abi::TypeTraitsCpu* qt, std::string error, std::string kernel)
      : PeerFormat(w, TypeId::kQ8_K), base_(base) {
    error_ = std::move(error);
    kernel_name_ = std::move(kernel);
    if (error_.empty()) {
      vec_dot_ = wt->vec_dot;
      q8k_from_float_ = qt->from_float;
    }
    const auto tr = type_traits(static_cast<uint32_t>(w));
    block_bytes_ = static_cast<size_t>(tr->block_bytes);
  }

  size_t tensor_bytes(int64_t M, int64_t K) const override {
    return static_cast<size_t>(M) * static_cast<size_t>(K / kQK_K) * block_bytes_;
  }
  void pack(const float* w, int64_t M, int64_t K, uint8_t* dst) const override {
    require_usable();
    std::memset(dst, 0, tensor_bytes(M, K));
    const size_t n = base_.quantize_chunk(static_cast<int>(wtype_), w, dst, 0, M, K, nullptr);
    if (n != tensor_bytes(M, K))
      throw PeerError("ggml_quantize_chunk wrote " + std::to_string(n) + " bytes for " +
                      std::to_string(M) + "x" + std::to_string(K) + ", expected " +
                      std::to_string(tensor_bytes(M, K)));
  }
  void quantize_act(const float* x, int64_t K, uint8_t* dst, float*, int32_t*) const override {
    require_usable();
    q8k_from_float_(x, dst, K);
  }
  float raw_dot(const uint8_t* w_row, const uint8_t* x_col, int64_t K) const override {
    require_usable();
    float s = 0.0f;
    vec_dot_(static_cast<int>(K), &s, 0, w_row, 0, x_col, 0, 1);
    return s;
  }
  void matmul_rows(const MatmulArgs& a, int64_t m0, int64_t m1) const override {
    const abi::VecDotFn dot = vec_dot_;
    const int K = static_cast<int>(a.K);
    for (int64_t n0 = 0; n0 < a.x.N; n0 += 16)
      for (int64_t r0 = m0; r0 < m1; r0 += 16)
        for (int64_t n = n0; n < n0 + 16 && n < a.x.N; ++n) {
          const uint8_t* x = a.x.data + n * static_cast<int64_t>(a.x.col_bytes);
          float* y = a.y + n * a.y_col_stride;
          for (int64_t m = r0; m < r0 + 16 && m < m1; ++m)
            dot(K, &y[m], 0, a.w + m * static_cast<int64_t>(a.w_row_bytes), 0, x, 0, 1);
        }
  }

 private:
  void require_usable() const {
    if (!error_.empty()) throw PeerError(error_);
  }
  GgmlBase base_;
  abi::VecDotFn vec_dot_ = nullptr;
  abi::FromFloatFn q8k_from_float_ = nullptr;
  size_t block_bytes_;
};

class LlamaPeer final : public Peer {
 public:
  LlamaPeer(PeerSpec spec, const std::vector<std::string>& libs)
      : Peer(PeerKind::kLlamaCpp, std::move(spec)) {
    // libggml-base first: libggml-cpu's DT_NEEDED then resolves to this same (local) copy.
    base_lib_ = std::make_unique<DlLibrary>(libs[0], false);
    cpu_lib_ = std::make_unique<DlLibrary>(libs[1], false);
    paths_ = {base_lib_->path(), cpu_lib_->path()};
    const DlLibrary& b = *base_lib_;
    const DlLibrary& c = *cpu_lib_;
    base_.get_type_traits = b.function<abi::GetTypeTraitsFn>(
        "ggml_get_type_traits", "const struct ggml_type_traits * (enum ggml_type)");
    base_.type_name =
        b.function<abi::TypeNameFn>("ggml_type_name", "const char * (enum ggml_type)");
    base_.blck_size = b.function<abi::BlckSizeFn>("ggml_blck_size", "int64_t (enum ggml_type)");
    base_.type_size = b.function<abi::TypeSizeFn>("ggml_type_size", "size_t (enum ggml_type)");
    base_.quantize_chunk = b.function<abi::QuantizeChunkFn>(
        "ggml_quantize_chunk",
        "size_t (enum ggml_type, const float *, void *, int64_t, int64_t, int64_t, const float *)");
    auto get_cpu = c.function<abi::GetTypeTraitsCpuFn>(
        "ggml_get_type_traits_cpu", "const struct ggml_type_traits_cpu * (enum ggml_type)");
    // Initializes ggml's fp16 tables, which the kernels may read.
    c.function<abi::CpuInitFn>("ggml_cpu_init", "void (void)")();

    const std::string q8k_error =
        check_type(base_, b.path(), {abi::kGgmlTypeQ8_K, "q8_K", kQK_K, sizeof(block_q8_K)});
    const abi::TypeTraitsCpu* q8k = get_cpu(abi::kGgmlTypeQ8_K);
    for (const auto& [w, gt, name, bytes, dotname] :
         {std::tuple{TypeId::kTQ2_0, abi::kGgmlTypeTQ2_0, "tq2_0", sizeof(block_tq2_0),
                     "ggml_vec_dot_tq2_0_q8_K"},
          std::tuple{TypeId::kTQ1_0, abi::kGgmlTypeTQ1_0, "tq1_0", sizeof(block_tq1_0),
                     "ggml_vec_dot_tq1_0_q8_K"}}) {
      std::string err = q8k_error;
      if (err.empty()) err = check_type(base_, b.path(), {gt, name, kQK_K, bytes});
      const abi::TypeTraitsCpu* t = get_cpu(gt);
      const std::string what = c.path() + ": ggml_get_type_traits_cpu(" + name + ")";
      if (err.empty() && (t == nullptr || q8k == nullptr))
        err = what + " returned null";
      else if (err.empty() && t->vec_dot == nullptr)
        err = what + "->vec_dot is null (no CPU kernel for the format)";
      else if (err.empty() && t->vec_dot_type != abi::kGgmlTypeQ8_K)
        err = what + "->vec_dot_type = " + std::to_string(t->vec_dot_type) +
              ", expected 15 (Q8_K); the kernel or struct ggml_type_traits_cpu changed";
      else if (err.empty() && t->nrows != 1)
        err = what + "->nrows = " + std::to_string(t->nrows) + ", expected 1";
      else if (err.empty() && q8k->from_float == nullptr)
        err = c.path() + ": ggml_get_type_traits_cpu(q8_K)->from_float is null";
      formats_.push_back(std::make_unique<LlamaFormat>(
          w, base_, t, q8k, err, std::string(dotname) + " (ggml_get_type_traits_cpu)"));
    }
  }

 private:
  std::unique_ptr<DlLibrary> base_lib_, cpu_lib_;
  GgmlBase base_{};
};

}  // namespace

std::unique_ptr<Peer> load_llama_cpp(const PeerSpec& spec, const std::vector<std::string>& libs) {
  return std::make_unique<LlamaPeer>(spec, libs);
}

}  // namespace bitnet::peers
