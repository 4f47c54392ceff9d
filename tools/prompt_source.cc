#include "prompt_source.h"

#include <stdexcept>

#include "bitnet/fixtures/fixtures.h"
#include "bitnet/gguf/gguf.h"
#include "bitnet/tokenizer/prompt.h"

namespace bitnet::tools {

void ModelPromptOptions::add_to(CLI::App& app, const std::string& file_help) {
  app.add_option("-m,--model", model, "GGUF path or fixture spec (e.g. synthetic:2b4t:tq2_0)")
      ->type_name("MODEL|SPEC");
  // Each -p / -f is counted: two prompts are a usage error, not "the last one wins".
  text_opt = app.add_option("-p,--prompt", text, "the prompt text")
                 ->type_name("TEXT")
                 ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  file_opt = app.add_option("-f,--file", file, file_help)->type_name("FILE");
}

PromptSource ModelPromptOptions::source() const {
  if (text_opt && text_opt->count() > 0) return {PromptSource::kText, text};
  if (file_opt && file_opt->count() > 0) return {PromptSource::kFile, file};
  return {};
}

std::size_t ModelPromptOptions::prompts_given() const {
  return (text_opt ? text_opt->count() : 0) + (file_opt ? file_opt->count() : 0);
}

void require_model_and_one_prompt(const ModelPromptOptions& o, std::size_t prompts,
                                  const std::string& choices) {
  if (o.model.empty()) throw cli::UsageError("-m MODEL is required");
  if (prompts != 1) throw cli::UsageError("give exactly one of " + choices);
}

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
  std::string text = src.value;
  if (src.kind == PromptSource::kFile) try {
      text = tokenizer::read_prompt_file(src.value);
    } catch (const std::runtime_error& e) {
      throw cli::InputError(std::string("-f: ") + e.what());
    }
  try {
    p.ids = tokenizer::tokenize_prompt(*p.tokenizer, text);
  } catch (const std::runtime_error& e) {
    throw cli::InputError(std::string(src.kind == PromptSource::kFile ? "-f: " : "-p: ") +
                          e.what());
  }
  return p;
}

int model_error_code(const std::exception& e) {
  if (const auto* f = dynamic_cast<const fixtures::Error*>(&e)) return f->exit_code();
  if (dynamic_cast<const gguf::Error*>(&e)) return cli::kExitInput;
  return -1;
}

}  // namespace bitnet::tools
