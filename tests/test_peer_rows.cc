// bitnet_benches with --bitnet_peer end to end, against the fake peer libraries: verified peer
// rows beside ours, error rows (never timings) for a peer whose answers are wrong or whose
// library lacks a symbol, and no peer rows without peers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "bitnet/peers/peer_kernels.h"

namespace {

using ::testing::HasSubstr;

struct Rows {
  int exit_code;
  std::string output;
  std::map<std::string, nlohmann::json> by_name;  // run_name -> the JSON row
  nlohmann::json context;
};

// Runs the suite on one small case family (2560x2560 GEMV, 1 thread, hot; the Q8_K/I8_S
// quantizers at N = 1) with a clean peer environment plus `args`.
Rows run(const std::string& args) {
  const std::string out =
      (std::filesystem::temp_directory_path() / ("peer_rows_" + std::to_string(getpid()) + ".json"))
          .string();
  const std::string cmd =
      "env -u LLAMA_CPP_DIR -u BITNET_CPP_DIR " + std::string(BITNET_BENCHES_EXE) + " " + args +
      " --bitnet_threads=1 --benchmark_min_time=0.001 --benchmark_out=" + out +
      " --benchmark_filter='^(gemv/(tq2_0|i2_s)/(dispatch|peer[.a-z]*)/M:2560/K:2560/N:1/"
      "threads:1/hot|quant_act/(q8_k|i8_s)/peer[.a-z]*/N:1/K:2560/)' 2>&1";
  Rows r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed", {}, {}};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(out);
  if (in) {
    const nlohmann::json j = nlohmann::json::parse(in);
    r.context = j["context"];
    for (const auto& b : j["benchmarks"]) r.by_name[b["run_name"].get<std::string>()] = b;
  }
  std::filesystem::remove(out);
  return r;
}

std::string fake(const char* variant) {
  return std::string(BITNET_FAKE_PEERS_DIR) + "/" + variant;
}

const char kTq2Peer[] = "gemv/tq2_0/peer.llama.cpp/M:2560/K:2560/N:1/threads:1/hot/real_time";
const char kI2sPeer[] = "gemv/i2_s/peer.bitnet.cpp/M:2560/K:2560/N:1/threads:1/hot/real_time";
const char kQ8kPeer[] = "quant_act/q8_k/peer.llama.cpp/N:1/K:2560/threads:1/real_time";

TEST(PeerRows, GoodPeersGiveVerifiedRowsBesideOurs) {
  if (!bitnet::peers::deep_bind_supported())
    GTEST_SKIP() << "no RTLD_DEEPBIND in sanitizer builds (the bitnet.cpp fake cannot load)";
  const Rows r = run("--bitnet_peer=llama.cpp:" + fake("llama_good") +
                     " --bitnet_peer=bitnet.cpp:" + fake("bitnet_good"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* name : {kTq2Peer, kI2sPeer, kQ8kPeer,
                           "gemv/tq2_0/dispatch/M:2560/K:2560/N:1/threads:1/hot/real_time"}) {
    ASSERT_TRUE(r.by_name.count(name)) << name << "\n" << r.output;
    const nlohmann::json& row = r.by_name.at(name);
    EXPECT_FALSE(row.value("error_occurred", false)) << name << ": " << row.dump();
    EXPECT_GT(row.value("real_time", 0.0), 0.0) << name;
  }
  EXPECT_THAT(r.by_name.at(kTq2Peer)["label"].get<std::string>(),
              HasSubstr("rows split over 1 thread(s) of our pool"));
  EXPECT_THAT(r.context["bitnet_peer_llama.cpp_libraries"].get<std::string>(),
              HasSubstr("llama_good/libggml-cpu.so"));
  EXPECT_EQ(r.context["bitnet_peer_llama.cpp_commit"], "(unknown)");
}

TEST(PeerRows, WrongAnswersAndMissingSymbolsAreErrorRowsNotTimings) {
  if (!bitnet::peers::deep_bind_supported())
    GTEST_SKIP() << "no RTLD_DEEPBIND in sanitizer builds (the bitnet.cpp fake cannot load)";
  const Rows r = run("--bitnet_peer=llama.cpp:" + fake("llama_wrong_dot") +
                     " --bitnet_peer=bitnet.cpp:" + fake("bitnet_no_dot"));
  ASSERT_EQ(r.exit_code, 0) << r.output;  // the rest of the suite still runs
  ASSERT_TRUE(r.by_name.count(kTq2Peer)) << r.output;
  ASSERT_TRUE(r.by_name.count(kI2sPeer)) << r.output;
  const nlohmann::json& tq = r.by_name.at(kTq2Peer);
  EXPECT_TRUE(tq.value("error_occurred", false));
  EXPECT_THAT(tq.value("error_message", ""), HasSubstr("integer dot of TQ2_0"));
  const nlohmann::json& i2 = r.by_name.at(kI2sPeer);
  EXPECT_TRUE(i2.value("error_occurred", false));
  EXPECT_THAT(i2.value("error_message", ""), HasSubstr("symbol ggml_vec_dot_i2_i8_s not found"));
  EXPECT_THAT(r.context["bitnet_peer_bitnet.cpp_error"].get<std::string>(),
              HasSubstr("bitnet_no_dot/libggml.so"));
  const nlohmann::json& ours =
      r.by_name.at("gemv/tq2_0/dispatch/M:2560/K:2560/N:1/threads:1/hot/real_time");
  EXPECT_FALSE(ours.value("error_occurred", false));
}

TEST(PeerRows, NoPeersNoPeerRows) {
  const Rows r = run("");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(r.by_name.empty());
  for (const auto& [name, row] : r.by_name) EXPECT_THAT(name, ::testing::Not(HasSubstr("peer")));
  EXPECT_FALSE(r.context.contains("bitnet_peer_llama.cpp_spec"));
}

TEST(PeerRows, MalformedPeerFlagIsAnError) {
  const Rows r = run("--bitnet_peer=ggml:/x");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.output, HasSubstr("expected llama.cpp:DIR or bitnet.cpp:DIR"));
}

}  // namespace
