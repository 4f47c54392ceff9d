// What bitnet-run and bitnet-tokenize share: the model and prompt options (-m, -p, -f as
// llama-cli spells them), the prompt tokenized as llama-cli tokenizes it, and the exit code of a
// model that cannot be loaded (docs/cli.md).
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "bitnet/cli/app.h"
#include "bitnet/tokenizer/tokenizer.h"

namespace bitnet::tools {

struct PromptSource {
  enum Kind { kNone = 0, kText, kFile };
  Kind kind = kNone;
  std::string value;  // the text, or the file's path
};

// -m/--model MODEL|SPEC, -p/--prompt TEXT and -f/--file FILE on one App.
struct ModelPromptOptions {
  std::string model;
  std::string text, file;
  CLI::Option* text_opt = nullptr;
  CLI::Option* file_opt = nullptr;

  // Adds the three options; `file_help` says how the tool reads FILE.
  void add_to(CLI::App& app, const std::string& file_help);
  // The prompt given by -p or -f (kNone when neither was).
  PromptSource source() const;
  // Every -p and -f given (a repeated one counts twice).
  std::size_t prompts_given() const;
};

// Throws UsageError when -m is missing or the prompts given are not exactly one ("give exactly
// one of <choices>").
void require_model_and_one_prompt(const ModelPromptOptions& o, std::size_t prompts,
                                  const std::string& choices);

struct PromptText {
  std::optional<tokenizer::Tokenizer> tokenizer;  // absent: the model has none (ids only)
  std::vector<int32_t> ids;                       // the tokenized prompt (kText / kFile)
};

// Loads the model's tokenizer (required when `src` is text, optional otherwise) and tokenizes
// the prompt like llama-cli (bitnet/tokenizer/prompt.h). Throws naming the file/key on failure.
PromptText load_prompt_text(const std::string& model_path, const PromptSource& src);

// The exit code for an error loading a model or prompt: the fixtures library's own codes for a
// spec it could not resolve (3 not found, 4 network, 5 integrity, 2 usage), 3 for a file the
// GGUF reader or the tokenizer rejects; -1 for anything else (bitnet::cli::run's rules).
int model_error_code(const std::exception& e);

}  // namespace bitnet::tools
