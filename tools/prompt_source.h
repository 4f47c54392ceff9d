// bitnet-run's prompt: text (-p / -f) tokenized as llama-cli tokenizes it, and the model's
// tokenizer for printing what was generated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bitnet/tokenizer/tokenizer.h"

namespace bitnet::tools {

struct PromptSource {
  enum Kind { kNone = 0, kText, kFile };
  Kind kind = kNone;
  std::string value;  // the text, or the file's path
};

struct PromptText {
  std::optional<tokenizer::Tokenizer> tokenizer;  // absent: the model has none (ids only)
  std::vector<int32_t> ids;                       // the tokenized prompt (kText / kFile)
};

// Loads the model's tokenizer (required when `src` is text, optional otherwise) and tokenizes
// the prompt like llama-cli (bitnet/tokenizer/prompt.h). Throws naming the file/key on failure.
PromptText load_prompt_text(const std::string& model_path, const PromptSource& src);

}  // namespace bitnet::tools
