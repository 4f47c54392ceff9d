// The real thing: runs the peer named by $LLAMA_CPP_DIR (a llama.cpp build) on the tiny golden
// model. Skipped, with a message, when LLAMA_CPP_DIR is not set. Label: peer.
#include <cstdlib>

#include <gtest/gtest.h>

#include "bitnet/compare/peer_runner.h"
#include "compare_helpers/test_util.h"

namespace bitnet::compare {
namespace {

using namespace std::chrono_literals;

std::optional<SearchInputs> peer_or_skip() {
  const char* dir = std::getenv("LLAMA_CPP_DIR");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  SearchInputs in;
  in.llama_cpp_dir = dir;  // only there: a PATH binary must not stand in for the named build
  return in;
}

BenchRequest tiny_request(PeerTool tool) {
  BenchRequest r;
  r.model = testing::data("tiny-bitnet-A-TQ2_0.gguf");
  r.n_prompt = 32;
  r.n_gen = 16;
  r.threads = {1};
  r.repetitions = 2;
  r.timeout = 120s;
  r.tool = tool;
  return r;
}

TEST(ComparePeer, LlamaBenchOnTheTinyModel) {
  auto in = peer_or_skip();
  if (!in)
    GTEST_SKIP() << "LLAMA_CPP_DIR is not set: no real peer to run (set it to a llama.cpp build)";
  BenchOutcome out = run_peer_bench(tiny_request(PeerTool::kLlamaBench), *in);
  EXPECT_FALSE(out.context.build_commit.empty());
  ASSERT_EQ(out.rows.size(), 2u);
  for (const auto& m : out.rows) {
    ASSERT_EQ(m.ns_per_token.size(), 2u) << m.phase;
    for (double ns : m.ns_per_token) EXPECT_GT(ns, 0);
    EXPECT_EQ(m.threads, 1);
  }
  auto j = to_gbench_json(out.context, out.rows);
  EXPECT_EQ(j["benchmarks"].size(), 10u);
}

TEST(ComparePeer, LlamaCliOnTheTinyModel) {
  auto in = peer_or_skip();
  if (!in)
    GTEST_SKIP() << "LLAMA_CPP_DIR is not set: no real peer to run (set it to a llama.cpp build)";
  BenchRequest req = tiny_request(PeerTool::kLlamaCli);
  req.repetitions = 1;
  BenchOutcome out = run_peer_bench(req, *in);
  ASSERT_EQ(out.rows.size(), 2u);
  for (const auto& m : out.rows) {
    if (m.phase == "decode") {
      EXPECT_EQ(m.tokens, 16);
    } else {
      EXPECT_EQ(m.tokens, 5);  // prefill: <s> The quick brown fox
    }
  }
}

}  // namespace
}  // namespace bitnet::compare
