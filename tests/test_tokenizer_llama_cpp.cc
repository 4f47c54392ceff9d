// Ids and detokenized text recorded from llama.cpp's own library (llama_tokenize,
// llama_detokenize; tests/data/README.md says how) for five vocabularies: the SPM and GPT-2 test
// vocabularies, the GPT-2 one without `tokenizer.ggml.pre` (llama.cpp's default pre-tokenizer)
// and with `llama3`, and the golden tiny model. Inputs: llama.cpp's test-vector inputs, our
// extra.inp (pre-tokenizer corners, special-token text, invalid UTF-8, Unicode 15.1 code points)
// and random.inp (250 random mixes); each with and without add_special + parse_special.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bitnet/tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace bitnet::tokenizer {
namespace {

using test::data_path;
using test::slurp;

std::vector<std::string> read_inputs(const std::string& path) {
  const std::string raw = slurp(path);
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> out;
  for (size_t pos = 0; pos < raw.size();) {
    const size_t next = raw.find(sep, pos);
    if (next == std::string::npos) {
      out.push_back(raw.substr(pos));
      break;
    }
    out.push_back(raw.substr(pos, next - pos));
    pos = next + sep.size();
  }
  return out;
}

struct Expected {
  std::vector<Token> ids;
  std::string text;  // llama_detokenize(remove_special = false, unparse_special = true)
};

// Lines "ID ID ... |HEX": the ids, then the detokenized bytes in hex.
std::vector<Expected> read_expected(const std::string& path) {
  std::istringstream in(slurp(path));
  std::vector<Expected> out;
  for (std::string line; std::getline(in, line);) {
    const size_t bar = line.find('|');
    if (bar == std::string::npos) throw std::runtime_error(path + ": line without '|'");
    Expected e;
    std::istringstream ids(line.substr(0, bar));
    for (Token t; ids >> t;) e.ids.push_back(t);
    const std::string hex = line.substr(bar + 1);
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      e.text += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    out.push_back(std::move(e));
  }
  return out;
}

std::string join(const std::vector<Token>& ids) {
  std::string s;
  for (Token t : ids) {
    if (!s.empty()) s += ' ';
    s += std::to_string(t);
  }
  return s;
}

class LlamaCppRecorded : public ::testing::TestWithParam<const char*> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir;
    const std::string gpt2 = data_path("tokenizer/ggml-vocab-gpt-2.gguf");
    test::write_vocab_variant(gpt2, dir_->file("gpt2-default.gguf"),
                              {{"tokenizer.ggml.pre", std::nullopt}});
    test::write_vocab_variant(gpt2, dir_->file("gpt2-llama3.gguf"),
                              {{"tokenizer.ggml.pre", gguf::Value::of("llama3")}});
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string vocab_path(const std::string& name) {
    if (name == "spm") return data_path("tokenizer/ggml-vocab-llama-spm.gguf");
    if (name == "gpt2") return data_path("tokenizer/ggml-vocab-gpt-2.gguf");
    if (name == "tiny-A") return data_path("tiny-bitnet-A-TQ2_0.gguf");
    return dir_->file(name + ".gguf");
  }
  static test::TempDir* dir_;
};
test::TempDir* LlamaCppRecorded::dir_ = nullptr;

TEST_P(LlamaCppRecorded, IdsAndDetokenizedTextMatch) {
  const std::string vocab = GetParam();
  const Tokenizer tok = Tokenizer::load(vocab_path(vocab));
  int cases = 0;
  for (const std::string inputs : {"vectors", "extra", "random"}) {
    const auto texts = read_inputs(data_path(
        "tokenizer/" + (inputs == "vectors" ? "ggml-vocab-llama-spm.gguf.inp" : inputs + ".inp")));
    for (const bool special : {false, true}) {
      const std::string file =
          "tokenizer/llama-cpp/" + vocab + "." + inputs + (special ? ".special.out" : ".plain.out");
      const auto expected = read_expected(data_path(file));
      ASSERT_EQ(expected.size(), texts.size()) << file;
      for (size_t i = 0; i < texts.size(); ++i) {
        const auto ids = tok.tokenize(texts[i], special, special);
        EXPECT_EQ(join(ids), join(expected[i].ids))
            << file << " case " << i << ": '" << texts[i] << "'";
        EXPECT_EQ(tok.detokenize(expected[i].ids), expected[i].text)
            << file << " case " << i << ": '" << texts[i] << "'";
        ++cases;
      }
    }
  }
  EXPECT_EQ(cases, 2 * (46 + 22 + 250));
}

INSTANTIATE_TEST_SUITE_P(Vocabs, LlamaCppRecorded,
                         ::testing::Values("spm", "gpt2", "gpt2-default", "gpt2-llama3", "tiny-A"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

}  // namespace
}  // namespace bitnet::tokenizer
