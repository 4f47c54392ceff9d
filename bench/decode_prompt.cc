#include "decode_prompt.h"

#include "bitnet/tokenizer/prompt.h"
#include "bitnet/tokenizer/tokenizer.h"

namespace bitnet::bench {

std::vector<int32_t> prompt_tokens_for(const std::string& model_path,
                                       const std::string& prompt_file) {
  const auto tok = tokenizer::Tokenizer::load(model_path);
  return tokenizer::tokenize_prompt(tok, tokenizer::read_prompt_file(prompt_file));
}

std::vector<int32_t> greedy_continuation(model::Engine& eng, std::span<const int32_t> prompt,
                                         int64_t n) {
  eng.reset();
  auto logits = eng.forward(prompt);
  std::vector<int32_t> out;
  for (int64_t i = 0; i < n; ++i) {
    out.push_back(model::Engine::argmax(logits));
    if (i + 1 < n) logits = eng.forward(out.back());
  }
  return out;
}

}  // namespace bitnet::bench
