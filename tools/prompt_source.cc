#include "prompt_source.h"

#include <stdexcept>

#include "bitnet/tokenizer/prompt.h"

namespace bitnet::tools {

PromptText load_prompt_text(const std::string& model_path, const PromptSource& src) {
  PromptText p;
  if (src.kind == PromptSource::kNone) {
    try {
      p.tokenizer = tokenizer::Tokenizer::load(model_path);
    } catch (const std::exception&) {
      // Token ids need no tokenizer; the generated text is then spelled from the raw vocabulary.
    }
    return p;
  }
  p.tokenizer = tokenizer::Tokenizer::load(model_path);
  const std::string text =
      src.kind == PromptSource::kFile ? tokenizer::read_prompt_file(src.value) : src.value;
  try {
    p.ids = tokenizer::tokenize_prompt(*p.tokenizer, text);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(src.kind == PromptSource::kFile ? "-f: " : "-p: ") +
                             e.what());
  }
  return p;
}

}  // namespace bitnet::tools
