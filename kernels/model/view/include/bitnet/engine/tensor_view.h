// What the engine reads a model from: named tensors (bytes, type, shape) and hyper-parameters,
// plus where the source describes each one, for error messages. The engine knows no file format;
// fixtures/ builds this view from a GGUF file (bitnet/fixtures/model_view.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/engine/hparams.h"

namespace bitnet::model {

struct TensorView {
  std::string name;
  uint32_t type = 0;              // ggml type id (may be one the engine does not support)
  std::vector<int64_t> ne;        // shape; ne[0] = row length
  std::span<const uint8_t> data;  // the tensor's bytes
  uint64_t offset = 0;            // where the source describes the tensor (error messages)

  int64_t nelements() const {
    int64_t n = 1;
    for (int64_t d : ne) n *= d;
    return n;
  }
};

struct ModelView {
  std::string source;  // the file's name, for error messages
  HParams hparams;     // n_vocab is left 0: the engine takes it from token_embd
  std::vector<TensorView> tensors;
  // `<arch>.vocab_size`, when the source has it (checked against token_embd's rows).
  std::optional<int64_t> vocab_size;
  std::string vocab_size_key;
  // Token pieces, when the source has a vocabulary (checked against token_embd's rows).
  std::optional<std::vector<std::string>> pieces;
  std::string pieces_key;
  std::span<const uint8_t> mapped;    // the whole mapping, populated up front by the engine
  std::shared_ptr<const void> owner;  // keeps `mapped` and every tensor's bytes alive

  const TensorView* find(std::string_view name) const {
    for (const TensorView& t : tensors)
      if (t.name == name) return &t;
    return nullptr;
  }
};

}  // namespace bitnet::model
