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

namespace {

constexpr const char* kUsage =
    R"(usage: bitnet-tokenize -m MODEL (-p TEXT | -f FILE | --stdin) [options]
Tokenizes a prompt with the model's own tokenizer (tokenizer.ggml.* keys), as llama-tokenize does.
  -m, --model MODEL      GGUF path or fixture spec
  -p, --prompt TEXT      the prompt
  -f, --file FILE        read the prompt from FILE (as is, no newline stripped)
      --stdin            read the prompt from standard input
      --ids              print only the ids, as one Python-style list: [1, 2, 3]
      --no-bos           never add BOS, even when the model asks for it
      --no-escape        take \n, \t, \xHH, ... literally
      --no-parse-special do not turn control-token text such as <s> into the token
      --show-count       print the number of tokens
      --log-disable      accepted for llama-tokenize compatibility (we log nothing)
Exit codes: 0 ok, 1 error (model, file), 2 usage.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Args {
  std::string model, prompt, file;
  bool have_prompt = false, have_file = false, use_stdin = false;
  bool ids = false, no_bos = false, no_escape = false, no_parse_special = false;
  bool show_count = false;
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string f = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(f + " needs a value");
      return argv[++i];
    };
    auto once = [&](bool& seen) {
      if (seen) throw UsageError(f + " given more than once");
      seen = true;
    };
    if (f == "-h" || f == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (f == "-m" || f == "--model") {
      a.model = value();
    } else if (f == "-p" || f == "--prompt") {
      once(a.have_prompt);
      a.prompt = value();
    } else if (f == "-f" || f == "--file") {
      once(a.have_file);
      a.file = value();
    } else if (f == "--stdin") {
      a.use_stdin = true;
    } else if (f == "--ids") {
      a.ids = true;
    } else if (f == "--no-bos") {
      a.no_bos = true;
    } else if (f == "--no-escape") {
      a.no_escape = true;
    } else if (f == "--no-parse-special") {
      a.no_parse_special = true;
    } else if (f == "--show-count") {
      a.show_count = true;
    } else if (f == "--log-disable") {
    } else {
      throw UsageError("unknown argument '" + f + "'");
    }
  }
  if (a.model.empty()) throw UsageError("-m MODEL is required");
  const int sources = a.have_prompt + a.have_file + a.use_stdin;
  if (sources != 1) throw UsageError("give exactly one of -p TEXT, -f FILE and --stdin");
  return a;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "': " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw std::runtime_error("cannot read '" + path + "'");
  return s.str();
}

int run(const Args& a) {
  using bitnet::tokenizer::Tokenizer;
  const Tokenizer tok = Tokenizer::load(bitnet::fixtures::resolve_path(a.model));
  std::string prompt = a.have_prompt ? a.prompt : a.have_file ? read_file(a.file) : "";
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
  Args args;
  try {
    args = parse_args(argc, argv);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "bitnet-tokenize: %s\n%s", e.what(), kUsage);
    return 2;
  }
  try {
    return run(args);
  } catch (const bitnet::fixtures::Error& e) {
    std::fprintf(stderr, "bitnet-tokenize: %s\n", e.what());
    return e.kind() == bitnet::fixtures::ErrorKind::kUsage ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet-tokenize: error: %s\n", e.what());
    return 1;
  }
}
