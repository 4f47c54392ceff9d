// llama.cpp's own tokenizer test vectors (the files its test-tokenizer-0 runs on): every input
// must give llama.cpp's ids, and the pieces of those ids must spell the input again.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bitnet/tokenizer/tokenizer.h"

namespace bitnet::tokenizer {
namespace {

std::string data(const std::string& name) {
  return std::string(BITNET_TEST_DATA_DIR) + "/tokenizer/" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Case {
  std::string text;
  std::vector<Token> ids;
};

// test-tokenizer-0's framing: inputs separated by "\n__ggml_vocab_test__\n", one line of
// space-separated ids per input.
std::vector<Case> read_cases(const std::string& vocab) {
  const std::string raw = slurp(data(vocab + ".inp"));
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> inputs;
  for (size_t pos = 0; pos < raw.size();) {
    const size_t next = raw.find(sep, pos);
    if (next == std::string::npos) {
      inputs.push_back(raw.substr(pos));
      break;
    }
    inputs.push_back(raw.substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::istringstream out(slurp(data(vocab + ".out")));
  std::vector<Case> cases;
  std::string line;
  for (const std::string& in : inputs) {
    if (!std::getline(out, line)) throw std::runtime_error(vocab + ".out has fewer lines");
    Case c{in, {}};
    std::istringstream ids(line);
    for (Token t; ids >> t;) c.ids.push_back(t);
    cases.push_back(std::move(c));
  }
  if (std::getline(out, line)) throw std::runtime_error(vocab + ".out has more lines");
  return cases;
}

std::string ids_str(const std::vector<Token>& ids) {
  std::string s;
  for (Token t : ids) {
    if (!s.empty()) s += ' ';
    s += std::to_string(t);
  }
  return s;
}

class Vectors : public ::testing::TestWithParam<const char*> {};

TEST_P(Vectors, EveryCaseGivesLlamaCppIds) {
  const std::string vocab = GetParam();
  const Tokenizer tok = Tokenizer::load(data(vocab));
  const auto cases = read_cases(vocab);
  ASSERT_EQ(cases.size(), 46u);  // the file's case count: none lost to the framing
  int passed = 0;
  for (const Case& c : cases) {
    const std::vector<Token> got = tok.tokenize(c.text, /*add_special=*/false,
                                                /*parse_special=*/false);
    EXPECT_EQ(ids_str(got), ids_str(c.ids)) << "input '" << c.text << "'";
    passed += got == c.ids;
  }
  EXPECT_EQ(passed, static_cast<int>(cases.size()));
}

// The pieces are lossless: joined (SPM: without its one prefix space) they are the input.
TEST_P(Vectors, PiecesSpellTheInputAgain) {
  const std::string vocab = GetParam();
  const Tokenizer tok = Tokenizer::load(data(vocab));
  for (const Case& c : read_cases(vocab)) {
    std::string joined;
    for (Token t : c.ids) joined += tok.token_to_piece(t);
    if (tok.add_space_prefix() && !joined.empty() && joined.front() == ' ') joined.erase(0, 1);
    EXPECT_EQ(joined, c.text);
    if (!tok.clean_spaces()) {
      EXPECT_EQ(tok.detokenize(c.ids), c.text);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LlamaCpp, Vectors,
                         ::testing::Values("ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"),
                         [](const auto& info) {
                           return std::string(info.index == 0 ? "Spm" : "Gpt2");
                         });

}  // namespace
}  // namespace bitnet::tokenizer
