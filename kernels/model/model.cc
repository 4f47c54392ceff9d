#include "bitnet/engine/model.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <span>
#include <string>

#include "bitnet/formats/field_error.h"

namespace bitnet::model {
namespace {

std::string shape_str(const std::vector<int64_t>& ne) {
  std::string s = "[";
  for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
  return s + "]";
}

[[noreturn]] void bad_tensor(const ModelView& f, const TensorView& t, const std::string& what) {
  throw FieldError(f.source, t.offset, t.name, what);
}

const TensorView& require(const ModelView& f, const std::string& name) {
  const TensorView* t = f.find(name);
  if (t == nullptr) throw FieldError(f.source, 0, name, "required tensor is missing");
  return *t;
}

void check_shape(const ModelView& f, const TensorView& t, std::vector<int64_t> want) {
  if (t.ne != want) bad_tensor(f, t, "shape " + shape_str(t.ne) + ", expected " + shape_str(want));
}

// A 1-D F32 norm weight of n elements.
const float* norm_vector(const ModelView& f, const std::string& name, int64_t n) {
  const auto& t = require(f, name);
  check_shape(f, t, {n});
  if (static_cast<TypeId>(t.type) != TypeId::kF32)
    bad_tensor(f, t, "norm weights must be F32 (type id " + std::to_string(t.type) + ")");
  const auto bytes = t.data;
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(float) != 0)
    bad_tensor(f, t, "data is not 4-byte aligned");
  return reinterpret_cast<const float*>(bytes.data());
}

std::string type_label(uint32_t id) {
  const auto tr = type_traits(id);
  return tr ? std::string(tr->name) : "unknown type id " + std::to_string(id);
}

Weight weight(const ModelView& f, const std::string& base, int64_t rows, int64_t cols,
              bool embedding) {
  const auto& t = require(f, base + ".weight");
  check_shape(f, t, {cols, rows});
  const auto type = static_cast<TypeId>(t.type);
  if (embedding ? !is_embedding_type(type) : !is_projection_type(type))
    bad_tensor(f, t, "type " + type_label(t.type) + " is not supported for this tensor");
  const auto rb = row_bytes(t.type, static_cast<uint64_t>(cols));
  if (!rb)
    bad_tensor(f, t,
               "row length " + std::to_string(cols) + " does not fit type " + type_label(t.type));
  Weight w;
  w.name = t.name;
  w.type = type;
  w.rows = rows;
  w.cols = cols;
  w.row_bytes = static_cast<size_t>(*rb);
  const auto bytes = t.data;
  w.data = bytes.data();
  if (type == TypeId::kI2_S) {
    const uint64_t codes = static_cast<uint64_t>(rows) * w.row_bytes;
    if (bytes.size() < codes + sizeof(float)) bad_tensor(f, t, "I2_S tensor has no scale");
    std::memcpy(&w.tensor_scale, bytes.data() + codes, sizeof(float));
  }
  if (type == TypeId::kF32 && reinterpret_cast<uintptr_t>(w.data) % alignof(float) != 0)
    bad_tensor(f, t, "data is not 4-byte aligned");
  if (const auto* s = f.find(base + ".scale")) {  // optional, llama.cpp's wq_scale etc.
    if (static_cast<TypeId>(s->type) != TypeId::kF32 || s->nelements() != 1)
      bad_tensor(f, *s, "scale tensor must be a single F32 value");
    std::memcpy(&w.out_scale, s->data.data(), sizeof(float));
  }
  return w;
}

}  // namespace

bool is_projection_type(TypeId t) {
  return t == TypeId::kTQ1_0 || t == TypeId::kTQ2_0 || t == TypeId::kI2_S || t == TypeId::kF32 ||
         t == TypeId::kF16 || t == TypeId::kQ4_0 || t == TypeId::kQ8_0;
}

bool is_embedding_type(TypeId t) {
  return t == TypeId::kF32 || t == TypeId::kF16 || t == TypeId::kQ8_0 || t == TypeId::kQ6_K ||
         t == TypeId::kQ4_0;
}

// Populates the page tables of the mapped file now, so the first forward pass does not pay ~20k
// file-backed page faults (measured: +0.3 s on a 128-token prefill of the 2B4T shape, 1.2 GB).
// llama.cpp does the same with MAP_POPULATE. Advisory: a kernel without MADV_POPULATE_READ
// (Linux < 5.14) just faults on first use, as before.
namespace {
void prefault(std::span<const uint8_t> bytes) {
#ifdef MADV_POPULATE_READ
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const uintptr_t begin = reinterpret_cast<uintptr_t>(bytes.data()) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(bytes.data()) + bytes.size();
  if (!bytes.empty()) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_READ);
#else
  (void)bytes;
#endif
}
}  // namespace

Model Model::from_view(ModelView view) {
  Model m(std::move(view.owner));
  const ModelView& f = view;
  HParams& hp = m.hp_;
  hp = f.hparams;
  const auto& embd = require(f, "token_embd.weight");
  if (embd.ne.size() != 2 || embd.ne[0] != hp.n_embd || embd.ne[1] <= 0)
    bad_tensor(
        f, embd,
        "shape " + shape_str(embd.ne) + ", expected [" + std::to_string(hp.n_embd) + ", n_vocab]");
  hp.n_vocab = embd.ne[1];
  if (f.vocab_size && *f.vocab_size != hp.n_vocab)
    throw FieldError(f.source, 0, f.vocab_size_key, "does not match token_embd rows");
  m.tok_embd_ = weight(f, "token_embd", hp.n_vocab, hp.n_embd, true);
  m.output_norm_ = norm_vector(f, "output_norm.weight", hp.n_embd);
  if (const TensorView* out = f.find("output.weight")) {
    if (!hp.output_tensor)
      bad_tensor(f, *out,
                 "untied output.weight is not supported for arch '" + hp.arch +
                     "' (its lm_head is tied to token_embd)");
    m.output_ = weight(f, "output", hp.n_vocab, hp.n_embd, true);
    m.has_output_ = true;
  }
  // Llama 3.1-style per-dimension RoPE factors would change every angle: refuse, not ignore.
  if (const TensorView* rf = f.find("rope_freqs.weight"))
    bad_tensor(f, *rf, "RoPE frequency factors (rope_freqs.weight) are not supported");

  m.layers_.resize(static_cast<size_t>(hp.n_layer));
  for (int64_t il = 0; il < hp.n_layer; ++il) {
    const std::string b = "blk." + std::to_string(il) + ".";
    Layer& L = m.layers_[static_cast<size_t>(il)];
    L.attn_norm = norm_vector(f, b + "attn_norm.weight", hp.n_embd);
    L.ffn_norm = norm_vector(f, b + "ffn_norm.weight", hp.n_embd);
    if (hp.sub_norms) {
      L.attn_sub_norm = norm_vector(f, b + "attn_sub_norm.weight", hp.q_dim());
      L.ffn_sub_norm = norm_vector(f, b + "ffn_sub_norm.weight", hp.n_ff);
    } else {
      for (const char* sub : {"attn_sub_norm.weight", "ffn_sub_norm.weight"})
        if (const TensorView* t = f.find(b + sub))
          bad_tensor(f, *t, "arch '" + hp.arch + "' has no sub-norms (tensor not expected)");
    }
    L.wq = weight(f, b + "attn_q", hp.q_dim(), hp.n_embd, false);
    L.wk = weight(f, b + "attn_k", hp.kv_dim(), hp.n_embd, false);
    L.wv = weight(f, b + "attn_v", hp.kv_dim(), hp.n_embd, false);
    L.wo = weight(f, b + "attn_output", hp.n_embd, hp.q_dim(), false);
    L.w_gate = weight(f, b + "ffn_gate", hp.n_ff, hp.n_embd, false);
    L.w_up = weight(f, b + "ffn_up", hp.n_ff, hp.n_embd, false);
    L.w_down = weight(f, b + "ffn_down", hp.n_embd, hp.n_ff, false);
  }

  if (f.pieces) {
    m.pieces_ = *f.pieces;
    if (static_cast<int64_t>(m.pieces_.size()) != hp.n_vocab)
      throw FieldError(f.source, 0, f.pieces_key,
                       std::to_string(m.pieces_.size()) + " tokens but token_embd has " +
                           std::to_string(hp.n_vocab) + " rows");
  }
  prefault(f.mapped);
  return m;
}

uint64_t Model::weight_bytes_per_token() const {
  uint64_t total = lm_head().bytes();
  for (const Layer& L : layers_)
    for (const Weight* w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w_gate, &L.w_up, &L.w_down})
      total += w->bytes();
  return total;
}

std::string piece_text(const std::string& piece) {
  // Byte tokens "<0xNN>" (SPM byte fallback).
  auto hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 && piece[5] == '>' && hex(piece[3]) &&
      hex(piece[4]))
    return std::string(1, static_cast<char>(std::stoi(piece.substr(3, 2), nullptr, 16)));
  std::string out;
  for (size_t i = 0; i < piece.size(); ++i) {
    if (piece.compare(i, 3, "\xe2\x96\x81") == 0) {  // U+2581 '▁'
      out += ' ';
      i += 2;
    } else {
      out += piece[i];
    }
  }
  return out;
}

}  // namespace bitnet::model
