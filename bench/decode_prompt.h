// --bitnet_prompt_file: decode and prefill cases on a real prompt instead of seeded tokens.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "bitnet/engine/engine.h"

namespace bitnet::bench {

// The prompt file's text tokenized by the model's own tokenizer, as bitnet-run -f does it.
// Throws naming the file (prompt or model) on failure.
std::vector<int32_t> prompt_tokens_for(const std::string& model_path,
                                       const std::string& prompt_file);

// Evaluates `prompt` from an empty cache and returns the n greedy tokens that follow it; the
// cache then holds the prompt (and n - 1 of those tokens).
std::vector<int32_t> greedy_continuation(model::Engine& eng, std::span<const int32_t> prompt,
                                         int64_t n);

}  // namespace bitnet::bench
