// Cross-validation: logits cosine on the golden logits (numbers from the golden README §6),
// SentencePiece detokenization against llama-cli's own stdout, text alignment, and run_crossval
// end to end with a fake llama-cli (recorded --verbose-prompt transcript) and a fake bitnet-run.
#include <gtest/gtest.h>

#include "bitnet/compare/crossval.h"
#include "bitnet/compare/peer_output.h"
#include "bitnet/compare/peer_runner.h"
#include "compare_helpers/test_util.h"

namespace bitnet::compare {
namespace {

using namespace std::chrono_literals;
using testing::data;
using testing::install_fake;
using testing::slurp;
using testing::TempDir;
using testing::transcript;

const std::vector<int32_t> kPeerGenerated = {353, 71, 411, 444, 311, 90,  66, 65,
                                             390, 90, 90,  90,  90,  450, 94, 66};

TEST(CompareCrossval, GoldenLogitsCosineMatchesTheRecordedNumbers) {
  LogitsDoc f32 = load_logits_doc(data("decode/logits-tiny-bitnet-A-F32.json"));
  LogitsDoc tq2 = load_logits_doc(data("decode/logits-tiny-bitnet-A-TQ2_0.json"));
  EXPECT_EQ(f32.n_vocab, 512);
  EXPECT_EQ(f32.tokens, (std::vector<int32_t>{1, 17, 42, 99, 3, 250, 7, 128, 64, 5}));
  CosineReport r = compare_logits(f32, tq2);
  // Golden README §6, A: F32 vs TQ2_0: cos (all prompt rows) 0.99973035, min row 0.99964364.
  EXPECT_NEAR(r.prompt_all, 0.99973035, 5e-8);
  EXPECT_NEAR(r.min, 0.99964364, 5e-8);
  // Greedy rows join while both greedy paths agree: they split at index 9, so 9 greedy rows.
  EXPECT_EQ(r.per_row.size(), 10u + 9u);
  EXPECT_EQ(r.argmax_agree, 18u);  // the 9th greedy row produced the differing token
  CosineReport self = compare_logits(tq2, tq2);
  EXPECT_NEAR(self.min, 1.0, 1e-12);
  EXPECT_EQ(self.argmax_agree, self.per_row.size());
  LogitsDoc other = tq2;
  other.tokens[0] = 2;
  EXPECT_THROW(compare_logits(f32, other), std::invalid_argument);
}

TEST(CompareCrossval, LogitsParseErrorsNameTheField) {
  try {
    parse_logits_doc(
        nlohmann::json::parse(R"({"tokens":[1,2],"n_vocab":3,"logits":[[0,1,2],[0,1]]})"),
        "x.json");
    FAIL() << "no error";
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("x.json: logits[1]"), std::string::npos) << e.what();
  }
}

TEST(CompareCrossval, TextAlignmentFindsTheFirstDivergentStep) {
  const std::string peer = " uD In froZW?> quickWWWW hot[?\n\n";
  std::vector<std::string> pieces = {" u",     "D", " In", " fro", "Z", "W",    "?", ">",
                                     " quick", "W", "W",   "W",    "W", " hot", "[", "?"};
  TextAgreement ok = compare_text(peer, pieces);
  EXPECT_EQ(ok.matched, 16u);
  EXPECT_FALSE(ok.first_divergence);
  pieces[5] = "Q";
  TextAgreement bad = compare_text(peer, pieces);
  EXPECT_EQ(bad.matched, 5u);
  EXPECT_EQ(bad.first_divergence.value_or(99), 5u);
}

TEST(CompareCrossval, BitnetRunJson) {
  OursOutput o = parse_bitnet_run_json(R"({"prompt":[1,2],"generated":[5,6,7],"text":"abc"})");
  EXPECT_EQ(o.generated, (std::vector<int32_t>{5, 6, 7}));
  EXPECT_THROW(parse_bitnet_run_json("{not json"), ParseError);
  try {
    parse_bitnet_run_json(R"({"prompt":[1],"text":"x"})");
    FAIL();
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("it has: prompt, text"), std::string::npos) << e.what();
  }
}

TEST(CompareCrossval, SentencePieceDetokenizationReproducesLlamaCliStdout) {
  Vocab v = load_vocab(data("tiny-bitnet-A-TQ2_0.gguf"));
  ASSERT_EQ(v.tokens.size(), 512u);
  EXPECT_EQ(v.piece(1), "");  // <s>: control
  EXPECT_EQ(v.piece(410), " The");
  EXPECT_EQ(v.piece(13), "\n");  // <0x0A>
  std::string text;
  for (int32_t id : {1, 410, 390, 394, 396}) text += v.piece(id);
  for (int32_t id : kPeerGenerated) text += v.piece(id);
  // llama-cli printed the prompt echo, the 16 generated pieces, then "\n\n".
  EXPECT_EQ(text + "\n\n", slurp(transcript("cli-A-TQ2_0-t1.stdout")));
  EXPECT_THROW(v.piece(512), std::out_of_range);
}

struct CrossvalFixture : ::testing::Test {
  TempDir dir{"crossval"};
  std::string run_log = (dir.path() / "run.log").string();
  void SetUp() override {
    install_fake(dir.path(), "llama-cli",
                 {{"version", "version: 4748 (c392e5094)"},
                  {"stdout", transcript("cli-A-TQ2_0-t1-verbose-prompt.stdout")},
                  {"stderr", transcript("cli-A-TQ2_0-t1-verbose-prompt.stderr")}});
  }
  void fake_ours(std::vector<int32_t> generated) {
    const std::string out = (dir.path() / "ours.json").string();
    std::ofstream(out)
        << nlohmann::json{{"prompt", {1, 410, 390, 394, 396}}, {"generated", generated}}.dump();
    install_fake(dir.path() / "ours", "bitnet-run", {{"stdout", out}, {"argv_log", run_log}});
  }
  CrossvalOptions options() {
    CrossvalOptions o;
    o.model = data("tiny-bitnet-A-TQ2_0.gguf");
    o.bitnet_run = (dir.path() / "ours/bitnet-run").string();
    o.timeout = 30s;
    return o;
  }
  SearchInputs where() {
    SearchInputs in;
    in.llama_dir = dir.str();
    return in;
  }
};

TEST_F(CrossvalFixture, IdenticalGreedyOutputPasses) {
  fake_ours(kPeerGenerated);
  CrossvalReport r = run_crossval(options(), where());
  EXPECT_EQ(r.prompt_ids, (std::vector<int32_t>{1, 410, 390, 394, 396}));
  EXPECT_EQ(r.text.matched, 16u);
  EXPECT_TRUE(r.pass()) << r.summary;
  EXPECT_NE(r.summary.find("16 of 16 steps identical"), std::string::npos) << r.summary;
  // bitnet-run got the peer's prompt ids, not the text.
  const std::string log = slurp(run_log);
  EXPECT_NE(log.find("\n--ids\n1,410,390,394,396\n-n\n16\n"), std::string::npos) << log;
}

TEST_F(CrossvalFixture, DivergenceIsReportedAndFailsTheThreshold) {
  auto g = kPeerGenerated;
  g[3] = 100;
  fake_ours(g);
  CrossvalReport r = run_crossval(options(), where());
  EXPECT_EQ(r.text.first_divergence.value_or(99), 3u);
  EXPECT_FALSE(r.pass());
  CrossvalOptions lenient = options();
  lenient.min_steps = 3;
  EXPECT_TRUE(run_crossval(lenient, where()).pass());
}

TEST_F(CrossvalFixture, LogitsThresholdIsApplied) {
  fake_ours(kPeerGenerated);
  CrossvalOptions o = options();
  o.peer_logits = data("decode/logits-tiny-bitnet-A-F32.json");
  o.ours_logits = data("decode/logits-tiny-bitnet-A-TQ2_0.json");
  CrossvalReport r = run_crossval(o, where());
  ASSERT_TRUE(r.cosine);
  EXPECT_TRUE(r.pass()) << r.summary;  // 0.99964 >= 0.999
  o.min_cosine = 0.9999;
  EXPECT_FALSE(run_crossval(o, where()).pass());
}

TEST_F(CrossvalFixture, MissingBitnetRunIsAUsageError) {
  CrossvalOptions o = options();
  o.bitnet_run = (dir.path() / "nope/bitnet-run").string();
  try {
    run_crossval(o, where());
    FAIL();
  } catch (const CompareError& e) {
    EXPECT_EQ(e.code(), kExitPeerFailed);
    EXPECT_NE(std::string(e.what()).find("could not be started"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bitnet::compare
