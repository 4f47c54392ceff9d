// Live against real peers; skipped unless LLAMA_CPP_DIR / BITNET_CPP_DIR point at a build.
// The peer's llama-perplexity writes a base from the golden text that our reader scores, and
// reads the base our engine writes (its own --kl-divergence judges us).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "bitnet/compare/crossval.h"
#include "bitnet/compare/peer_probe.h"
#include "bitnet/crossval/live_kld.h"
#include "test_decode_util.h"

namespace bitnet::crossval {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

LiveKldReport run(const std::string& dir_var, const std::string& model, const std::string& tag) {
  compare::SearchInputs where;
  where.llama_dir = env(dir_var.c_str());
  LiveKldOptions o;
  o.model = model;
  o.text_file = testutil::data_path("kld/text.txt");
  o.work_dir = testutil::temp_path("live-" + tag);
  const LiveKldReport r = run_live_kld(o, where);
  std::printf("%s", r.summary.c_str());
  return r;
}

// The real binaries: flavour and flags as the fakes pretend (peer_probe.h).
TEST(CrossvalLive, ProbeTellsThePeersApart) {
  for (const char* var : {"LLAMA_CPP_DIR", "BITNET_CPP_DIR"}) {
    if (!env(var)) continue;
    compare::SearchInputs where;
    where.llama_dir = env(var);
    const auto hit = compare::find_peer_binary("llama-cli", where);
    ASSERT_TRUE(hit.found) << var;
    const compare::PeerProbe p = compare::probe_peer(hit.found->binary, "");
    std::printf("%s: %s, %s\n", var, p.flavour.c_str(), p.version.c_str());
    const bool fork = std::string(var) == "BITNET_CPP_DIR";
    EXPECT_EQ(p.flavour, fork ? "bitnet.cpp" : "llama.cpp");
    EXPECT_EQ(p.accepts("-no-cnv"), !fork);
    EXPECT_TRUE(p.accepts("--verbose-prompt"));
    EXPECT_TRUE(p.build_number.has_value());
  }
  if (!env("LLAMA_CPP_DIR") && !env("BITNET_CPP_DIR")) GTEST_SKIP() << "no peer configured";
}

// The reported failure: crossval with --llama-dir at a bitnet.cpp build passed -no-cnv.
TEST(CrossvalLive, GreedyAgainstBitnetCppThroughLlamaDir) {
  if (!env("BITNET_CPP_DIR")) GTEST_SKIP() << "BITNET_CPP_DIR not set";
  compare::SearchInputs where;
  where.llama_dir = env("BITNET_CPP_DIR");
  compare::CrossvalOptions o;
  o.model = testutil::data_path("tiny-bitnet-A-I2_S.gguf");
  o.bitnet_run = BITNET_RUN_BIN;
  const compare::CrossvalReport r = compare::run_crossval(o, where);
  std::printf("%s", r.summary.c_str());
  EXPECT_EQ(r.peer.at("flavour"), "bitnet.cpp");
  EXPECT_TRUE(r.tokens_ok);
}

TEST(CrossvalLive, LlamaCppJudgesOurF32Base) {
  if (!env("LLAMA_CPP_DIR")) GTEST_SKIP() << "LLAMA_CPP_DIR not set";
  const std::string f32 = testutil::temp_path("live-A-F32.gguf");
  testutil::write_f32_copy(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf"), f32);
  const LiveKldReport r = run("LLAMA_CPP_DIR", f32, "f32");
  EXPECT_EQ(r.ours_on_peer_base.count, 252u);
  // tinyBLAS's float order for the F32 matmuls: as llama.cpp against its own base.
  EXPECT_LE(r.ours_on_peer_base.kld.value, 1e-6);
  EXPECT_LE(r.ours_on_peer_base.kld_max, 1e-5);
  EXPECT_EQ(r.ours_on_peer_base.same_top.value, 1.0);
  ASSERT_TRUE(r.peer_on_our_base.mean_kld && r.peer_on_our_base.same_top);
  EXPECT_LE(*r.peer_on_our_base.mean_kld, 1e-6);  // printed with 6 decimals
  EXPECT_EQ(*r.peer_on_our_base.same_top, 1.0);
  EXPECT_TRUE(r.pass);
}

// llama.cpp's x86 float order (EngineOptions::peer_float_order): as llama.cpp against its own
// base (mean -0, max <= 1e-5, 100 %), both ways, for both TQ formats and both shapes.
class CrossvalLiveTq : public ::testing::TestWithParam<const char*> {};

TEST_P(CrossvalLiveTq, LlamaCppBothWays) {
  if (!env("LLAMA_CPP_DIR")) GTEST_SKIP() << "LLAMA_CPP_DIR not set";
  const std::string name = GetParam();
  const LiveKldReport r = run("LLAMA_CPP_DIR", testutil::data_path(name + ".gguf"), name);
  EXPECT_EQ(r.ours_on_peer_base.count, 252u);
  EXPECT_LE(r.ours_on_peer_base.kld.value, 1e-6);
  EXPECT_LE(r.ours_on_peer_base.kld_max, 1e-5);
  EXPECT_EQ(r.ours_on_peer_base.same_top.value, 1.0);
  ASSERT_TRUE(r.peer_on_our_base.mean_kld && r.peer_on_our_base.max_kld);
  EXPECT_LE(*r.peer_on_our_base.mean_kld, 1e-6);
  EXPECT_LE(*r.peer_on_our_base.max_kld, 1e-5);
  EXPECT_EQ(*r.peer_on_our_base.same_top, 1.0);
  EXPECT_TRUE(r.pass);  // the default thresholds
}

INSTANTIATE_TEST_SUITE_P(Tiny, CrossvalLiveTq,
                         ::testing::Values("tiny-bitnet-A-TQ2_0", "tiny-bitnet-A-TQ1_0",
                                           "tiny-bitnet-B-TQ2_0", "tiny-bitnet-B-TQ1_0"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(CrossvalLive, BitnetCppI2sBothWays) {
  if (!env("BITNET_CPP_DIR")) GTEST_SKIP() << "BITNET_CPP_DIR not set";
  const LiveKldReport r =
      run("BITNET_CPP_DIR", testutil::data_path("tiny-bitnet-A-I2_S.gguf"), "i2s");
  // As bitnet.cpp against its own base (mean -0, max 4e-6, 100 %), both ways.
  EXPECT_LE(r.ours_on_peer_base.kld.value, 1e-6);
  EXPECT_LE(r.ours_on_peer_base.kld_max, 1e-5);
  EXPECT_EQ(r.ours_on_peer_base.same_top.value, 1.0);
  ASSERT_TRUE(r.peer_on_our_base.mean_kld && r.peer_on_our_base.max_kld);
  EXPECT_LE(*r.peer_on_our_base.mean_kld, 1e-6);
  EXPECT_LE(*r.peer_on_our_base.max_kld, 1e-5);
  EXPECT_EQ(*r.peer_on_our_base.same_top, 1.0);
}

}  // namespace
}  // namespace bitnet::crossval
