// bitnet-tokenize: llama-tokenize's behaviour and output on our tokenizer.
//   bitnet-tokenize -m MODEL.gguf (-p TEXT | -f FILE | --stdin) [--ids] [--no-bos] ...
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitnet/fixtures/fixtures.h"
#include "bitnet/tokenizer/tokenizer.h"
#include "prompt_source.h"

namespace {

namespace cli = bitnet::cli;

struct Args {
  bitnet::tools::ModelPromptOptions in;
  bool use_stdin = false;
  bool ids = false, no_bos = false, no_escape = false, no_parse_special = false;
  bool show_count = false;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw cli::InputError("cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw cli::InputError("cannot read '" + path + "'");
  return s.str();
}

int run(const Args& a) {
  using bitnet::tokenizer::Tokenizer;
  bitnet::tools::require_model_and_one_prompt(a.in, a.in.prompts_given() + a.use_stdin,
                                              "-p TEXT, -f FILE and --stdin");
  const Tokenizer tok = Tokenizer::load(bitnet::fixtures::resolve_path(a.in.model));
  const bitnet::tools::PromptSource src = a.in.source();
  std::string prompt = src.kind == src.kText   ? src.value
                       : src.kind == src.kFile ? read_file(src.value)
                                               : "";
  if (a.use_stdin) prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
  if (!a.no_escape) prompt = bitnet::tokenizer::process_escapes(prompt);
  const auto ids = tok.tokenize(prompt, tok.add_bos() && !a.no_bos, !a.no_parse_special);
  if (a.ids) {
    std::printf("[");
    for (size_t i = 0; i < ids.size(); ++i) std::printf(i ? ", %d" : "%d", ids[i]);
    std::printf("]\n");
  } else {
    for (const auto id : ids) {
      const std::string piece = tok.token_to_piece(id);
      std::printf("%6d -> '", id);
      std::fwrite(piece.data(), 1, piece.size(), stdout);
      std::printf("'\n");
    }
  }
  if (a.show_count) std::printf("Total number of tokens: %zu\n", ids.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app(
      "Tokenizes a prompt with the model's own tokenizer (tokenizer.ggml.* keys), as\n"
      "llama-tokenize does.",
      "bitnet-tokenize");
  cli::configure(app);
  app.footer(
      "Exit status: 0 ok, 2 usage error, 3 the model or FILE is missing or bad (4, 5: a\n"
      "fixture spec that needs the network or fails its digest) (docs/cli.md).");
  Args a;
  a.in.add_to(app, "read the prompt from FILE (as is, no newline stripped)");
  app.add_flag("--stdin", a.use_stdin, "read the prompt from standard input");
  app.add_flag("--ids", a.ids, "print only the ids, as one Python-style list: [1, 2, 3]");
  app.add_flag("--no-bos", a.no_bos, "never add BOS, even when the model asks for it");
  app.add_flag("--no-escape", a.no_escape, "take \\n, \\t, \\xHH, ... literally");
  app.add_flag("--no-parse-special", a.no_parse_special,
               "do not turn control-token text such as <s> into the token");
  app.add_flag("--show-count", a.show_count, "print the number of tokens");
  app.add_flag("--log-disable")
      ->description("accepted for llama-tokenize compatibility (we log nothing)");
  return cli::run(
      app, argc, argv, [&] { return run(a); }, bitnet::tools::model_error_code);
}
