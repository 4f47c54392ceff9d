// Tokenizer behaviour beyond the test vectors: llama-cli's ids for the golden tiny model, special
// tokens, byte tokens in detokenization, escapes, and clear errors for unsupported tokenizers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bitnet/gguf/gguf.h"
#include "bitnet/tokenizer/tokenizer.h"
#include "tokenizer_test_util.h"

namespace bitnet::tokenizer {
namespace {

using test::data_path;
using ::testing::AllOf;
using ::testing::HasSubstr;

const Tokenizer& spm() {
  static const Tokenizer t = Tokenizer::load(data_path("tokenizer/ggml-vocab-llama-spm.gguf"));
  return t;
}
const Tokenizer& gpt2() {
  static const Tokenizer t = Tokenizer::load(data_path("tokenizer/ggml-vocab-gpt-2.gguf"));
  return t;
}

TEST(TokenizerLoad, ReadsModelAndSpecialTokens) {
  EXPECT_EQ(spm().model(), Model::kSpm);
  EXPECT_EQ(spm().n_tokens(), 32000);
  EXPECT_EQ(spm().bos(), 1);
  EXPECT_EQ(spm().eos(), 2);
  EXPECT_TRUE(spm().add_bos());
  EXPECT_TRUE(spm().add_space_prefix());
  EXPECT_FALSE(spm().clean_spaces());
  EXPECT_TRUE(spm().is_eog(2));
  EXPECT_EQ(spm().attr(13) & kAttrByte, kAttrByte);  // <0x0A>
  EXPECT_EQ(gpt2().model(), Model::kBpe);
  EXPECT_EQ(gpt2().pre_tokenizer(), PreTokenizer::kGpt2);
  EXPECT_EQ(gpt2().pre_name(), "gpt-2");
  EXPECT_FALSE(gpt2().add_space_prefix());
  EXPECT_TRUE(gpt2().clean_spaces());
  const Token eot = 50256;  // <|endoftext|>: an end-of-generation control token by its text
  EXPECT_EQ(gpt2().text(eot), "<|endoftext|>");
  EXPECT_TRUE(gpt2().is_eog(eot));
  EXPECT_EQ(gpt2().attr(eot) & kAttrControl, kAttrControl);
}

// llama-cli --verbose-prompt on tiny-bitnet-A: "The quick brown fox" -> [1, 410, 390, 394, 396].
TEST(TokenizerSpm, GoldenTinyModelMatchesLlamaCli) {
  const Tokenizer t = Tokenizer::load(data_path("tiny-bitnet-A-TQ2_0.gguf"));
  EXPECT_EQ(t.tokenize("The quick brown fox", true, true),
            (std::vector<Token>{1, 410, 390, 394, 396}));
  EXPECT_EQ(t.tokenize("The quick brown fox", false, false),
            (std::vector<Token>{410, 390, 394, 396}));
}

TEST(TokenizerSpm, BosAndSpecialText) {
  EXPECT_EQ(spm().tokenize("Hello", true, false), (std::vector<Token>{1, 15043}));
  // parse_special turns "<s>" into BOS; the text after it gets the space prefix again.
  EXPECT_EQ(spm().tokenize("<s>Hello", false, true), (std::vector<Token>{1, 15043}));
  const auto literal = spm().tokenize("<s>Hello", false, false);
  EXPECT_NE(literal.front(), 1);
  EXPECT_EQ(spm().detokenize(literal), "<s>Hello");
  EXPECT_TRUE(spm().tokenize("", false, false).empty());
  EXPECT_EQ(spm().tokenize("", true, false), (std::vector<Token>{1}));
}

TEST(TokenizerSpm, PiecesAndDetokenize) {
  EXPECT_EQ(spm().token_to_piece(15043), " Hello");
  EXPECT_EQ(spm().token_to_piece(13), "\n");
  EXPECT_EQ(spm().token_to_piece(1), "<s>");
  EXPECT_EQ(spm().token_to_piece(1, /*special=*/false), "");
  // The prefix space goes; after BOS with remove_special it is kept (llama.cpp's rule).
  EXPECT_EQ(spm().detokenize(std::vector<Token>{15043, 3186}), "Hello world");
  EXPECT_EQ(spm().detokenize(std::vector<Token>{1, 15043}), "<s> Hello");
  EXPECT_EQ(spm().detokenize(std::vector<Token>{1, 15043}, true), " Hello");
  // A silent BOS still uses up the one space removal.
  EXPECT_EQ(spm().detokenize(std::vector<Token>{1, 15043}, false, false), " Hello");
}

// A generation cut inside a UTF-8 sequence keeps the raw bytes it has.
TEST(TokenizerSpm, PartialUtf8StaysBytes) {
  const auto ids = spm().tokenize("\xF0\x9F\xA6\x99", false, false);  // U+1F999 via bytes
  ASSERT_EQ(ids, (std::vector<Token>{29871, 243, 162, 169, 156}));
  const std::vector<Token> cut(ids.begin(), ids.begin() + 3);
  EXPECT_EQ(spm().detokenize(cut), "\xF0\x9F");
  EXPECT_EQ(spm().detokenize(ids), "\xF0\x9F\xA6\x99");
}

TEST(TokenizerBpe, BytesAndCleanSpaces) {
  EXPECT_EQ(gpt2().tokenize("Hello world", true, false), (std::vector<Token>{15496, 995}));
  EXPECT_EQ(gpt2().token_to_piece(18435), " Hello");
  EXPECT_EQ(gpt2().token_to_piece(198), "\n");
  // " ," " ." " !" " ?" and " 's" lose their space in llama_detokenize for gpt-2.
  const auto ids = gpt2().tokenize("Hi , you ! it 's", false, false);
  EXPECT_EQ(gpt2().detokenize(ids), "Hi, you! it's");
  // Bytes of a split multi-byte character come back raw.
  // " \xF0\x9F\xA6\x99" is 12520 99 247 in the test vectors: " \xF0\x9F", "\xA6", "\x99".
  const auto llama = gpt2().tokenize(" \xF0\x9F\xA6\x99", false, false);
  ASSERT_EQ(llama, (std::vector<Token>{12520, 99, 247}));
  EXPECT_EQ(gpt2().detokenize(std::vector<Token>{12520, 99}), " \xF0\x9F\xA6");
}

// F5 90 80 80 decodes above U+10FFFF: llama.cpp aborts in BPE; we refuse it clearly. SPM spells
// it with byte tokens, as llama.cpp does.
TEST(TokenizerBpe, CodePointAboveUnicodeIsAClearError) {
  try {
    (void)gpt2().tokenize(
        "a\xF5\x90\x80\x80"
        "b",
        false, false);
    FAIL() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("U+150000, above U+10FFFF"));
  }
  EXPECT_EQ(spm().tokenize("a\xF5\x90\x80\x80"
                           "b",
                           false, false),
            (std::vector<Token>{263, 248, 147, 131, 131, 29890}));
}

TEST(TokenizerBpe, EndOfTextIsSpecialOnlyWhenParsed) {
  EXPECT_EQ(gpt2().tokenize("a<|endoftext|>", false, true), (std::vector<Token>{64, 50256}));
  const auto literal = gpt2().tokenize("a<|endoftext|>", false, false);
  EXPECT_GT(literal.size(), 2u);
  EXPECT_EQ(gpt2().detokenize(literal), "a<|endoftext|>");
}

TEST(TokenizerEscapes, AsLlamaCpp) {
  EXPECT_EQ(process_escapes("a\\nb\\tc\\\\d\\'\\\""), "a\nb\tc\\d'\"");
  EXPECT_EQ(process_escapes("\\x41\\x4g\\q"), "A\\x4g\\q");
  EXPECT_EQ(process_escapes("end\\"), "end\\");
  EXPECT_EQ(process_escapes("\\x4"), "\\x4");
}

// --- errors name the file and the key -----------------------------------------------------

std::string load_error(const std::string& path) {
  try {
    (void)Tokenizer::load(path);
  } catch (const gguf::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TokenizerErrors, UnsupportedModelNamesFileAndKey) {
  test::TempDir dir;
  const std::string p = dir.file("bert.gguf");
  test::write_vocab_variant(data_path("tokenizer/ggml-vocab-llama-spm.gguf"), p,
                            {{"tokenizer.ggml.model", gguf::Value::of("bert")}});
  EXPECT_THAT(load_error(p), AllOf(HasSubstr(p), HasSubstr("key 'tokenizer.ggml.model'"),
                                   HasSubstr("'bert' is not supported")));
}

TEST(TokenizerErrors, UnsupportedPreTokenizerNamesFileAndKey) {
  test::TempDir dir;
  const std::string p = dir.file("qwen.gguf");
  test::write_vocab_variant(data_path("tokenizer/ggml-vocab-gpt-2.gguf"), p,
                            {{"tokenizer.ggml.pre", gguf::Value::of("qwen2")}});
  EXPECT_THAT(load_error(p), AllOf(HasSubstr(p), HasSubstr("key 'tokenizer.ggml.pre'"),
                                   HasSubstr("'qwen2' is not supported")));
}

TEST(TokenizerErrors, MissingKeysAreNamed) {
  test::TempDir dir;
  const std::string no_model = dir.file("no-model.gguf");
  test::write_vocab_variant(data_path("tokenizer/ggml-vocab-llama-spm.gguf"), no_model,
                            {{"tokenizer.ggml.model", std::nullopt}});
  EXPECT_THAT(load_error(no_model),
              AllOf(HasSubstr("key 'tokenizer.ggml.model'"), HasSubstr("missing")));
  const std::string no_merges = dir.file("no-merges.gguf");
  test::write_vocab_variant(data_path("tokenizer/ggml-vocab-gpt-2.gguf"), no_merges,
                            {{"tokenizer.ggml.merges", std::nullopt}});
  EXPECT_THAT(load_error(no_merges), HasSubstr("key 'tokenizer.ggml.merges'"));
  const std::string bad_scores = dir.file("bad-scores.gguf");
  test::write_vocab_variant(data_path("tokenizer/ggml-vocab-llama-spm.gguf"), bad_scores,
                            {{"tokenizer.ggml.scores",
                              gguf::Value::array(gguf::ValueType::kF32, {gguf::Value::of(0.5f)})}});
  EXPECT_THAT(load_error(bad_scores),
              AllOf(HasSubstr("key 'tokenizer.ggml.scores'"), HasSubstr("1 scores for 32000")));
}

TEST(TokenizerErrors, OutOfRangeIdIsNamed) {
  EXPECT_THROW((void)spm().token_to_piece(32000), std::out_of_range);
  EXPECT_THROW((void)spm().token_to_piece(-1), std::out_of_range);
}

}  // namespace
}  // namespace bitnet::tokenizer
