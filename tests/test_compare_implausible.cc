// Peer numbers no real run produces are rejected with the field named, a row without the samples
// asked for is a failure, --timeout bounds the whole interaction, version probes included, and
// nothing a peer starts outlives it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bitnet/compare/peer_output.h"
#include "bitnet/compare/peer_runner.h"
#include "bitnet/compare/process.h"
#include "compare_helpers/test_util.h"

namespace bitnet::compare {
namespace {

using namespace std::chrono_literals;
using testing::data;
using testing::install_fake;
using testing::slurp;
using testing::TempDir;
using testing::transcript;

std::string parse_error(const std::string& text, BenchFormat f) {
  try {
    parse_llama_bench(text, f);
  } catch (const ParseError& e) {
    return e.what();
  }
  return "(parsed)";
}

nlohmann::json golden() {
  return nlohmann::json::parse(slurp(transcript("bench-A-TQ2_0.json")));
}

TEST(CompareImplausible, HugeNumbersAreRejectedWithTheFieldNamed) {
  const std::pair<const char*, nlohmann::json> cases[] = {
      {"avg_ts", 1e308},
      {"avg_ns", 18446744073709551615.0},
      {"n_threads", 18446744073709551615ull},
      {"n_prompt", 1e308},
      {"stddev_ts", -1},
  };
  for (const auto& [field, value] : cases) {
    nlohmann::json j = golden();
    j[0][field] = value;
    const std::string e = parse_error(j.dump(), BenchFormat::kJson);
    EXPECT_NE(e.find(std::string("'") + field + "'"), std::string::npos) << field << ": " << e;
  }
  nlohmann::json j = golden();
  j[1]["samples_ns"][1] = 1e308;
  EXPECT_NE(parse_error(j.dump(), BenchFormat::kJson).find("samples_ns"), std::string::npos);
  EXPECT_NE(parse_error("| model | size | params | backend | threads | test | t/s |\n"
                        "| --- | --: | --: | --- | --: | --: | --: |\n"
                        "| m | 1 MiB | 1 | CPU | 99999999999999999999 | tg16 | 10 ± 1 |\n",
                        BenchFormat::kMarkdown)
                .find("threads"),
            std::string::npos);
}

BenchRequest request() {
  BenchRequest r;
  r.model = data("tiny-bitnet-A-TQ2_0.gguf");
  r.n_prompt = 32;
  r.n_gen = 16;
  r.threads = {2};
  r.repetitions = 3;
  r.timeout = 20s;
  r.kill_grace = 500ms;
  return r;
}

SearchInputs only_dir(const std::filesystem::path& dir) {
  SearchInputs in;
  in.llama_dir = dir.string();
  return in;
}

TEST(CompareImplausible, RowsWithoutTheRequestedSamplesFail) {
  TempDir t("implausible_samples");
  nlohmann::json j = golden();
  for (auto& row : j) {
    row.erase("samples_ns");
    row.erase("samples_ts");
  }
  const std::string out = (t.path() / "nosamples.json").string();
  std::ofstream(out) << j.dump(2);
  install_fake(t.path(), "llama-bench", {{"version", "version: 1 (abc)"}, {"stdout", out}});
  try {
    run_peer_bench(request(), only_dir(t.path()));
    FAIL() << "accepted rows without samples at -r 3";
  } catch (const CompareError& e) {
    EXPECT_EQ(e.code(), kExitPeerFailed);
    EXPECT_NE(std::string(e.what()).find("'samples_ns' has 0 values, expected 3"),
              std::string::npos)
        << e.what();
  }
}

TEST(CompareImplausible, TimeoutBoundsTheVersionProbeToo) {
  TempDir t("implausible_timeout");
  install_fake(t.path(), "llama-bench",
               {{"version", "version: 1 (abc)"},
                {"version_sleep_ms", "30000"},
                {"stdout", transcript("bench-A-TQ2_0.json")}});
  BenchRequest r = request();
  r.timeout = 2s;
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(run_peer_bench(r, only_dir(t.path())), CompareError);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(s, 10.0);  // 2 s, plus the kill grace and a loaded machine; not the 30 s hang
}

TEST(CompareLeftovers, AGrandchildThatCallsSetsidDoesNotSurviveThePeer) {
  TempDir t("leftovers");
  const std::string pid_file = (t.path() / "daemon.pid").string();
  const auto bin =
      install_fake(t.path(), "llama-bench", {{"mode", "daemon"}, {"daemon_pid_file", pid_file}});
  RunOptions o;
  o.argv = {bin.string(), "-o", "json"};
  o.timeout = 20s;
  const RunResult r = run_process(o);
  EXPECT_TRUE(r.ok()) << describe_status(r);
  const pid_t daemon = static_cast<pid_t>(std::atol(slurp(pid_file).c_str()));
  ASSERT_GT(daemon, 0);
  // Killed and reaped by run_process: the pid no longer exists (not even as a zombie).
  EXPECT_NE(::kill(daemon, 0), 0) << "pid " << daemon << " survived the peer";
}

TEST(CompareLeftovers, AnOrphanThatCallsSetsidAndClearsItsEnvironmentDoesNotSurvive) {
  TempDir t("leftovers_vanish");
  const std::string pid_file = (t.path() / "vanish.pid").string();
  const auto bin =
      install_fake(t.path(), "llama-bench", {{"mode", "vanish"}, {"daemon_pid_file", pid_file}});
  // A child of ours in its own session, started before the peer: not the peer's, so it stays.
  const pid_t mine = fork();
  if (mine == 0) {
    setsid();
    execl("/bin/sleep", "sleep", "120", static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(mine, 0);
  usleep(30000);  // a clock tick (the start times compared are in ticks) before the peer starts
  RunOptions o;
  o.argv = {bin.string(), "-o", "json"};
  o.timeout = 20s;
  const auto t0 = std::chrono::steady_clock::now();
  const RunResult r = run_process(o);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(r.ok()) << describe_status(r);
  // Promptly: the orphan holds our pipes open, which must not keep us waiting for its 120 s.
  EXPECT_LT(s, 10.0);
  const pid_t orphan = static_cast<pid_t>(std::atol(slurp(pid_file).c_str()));
  ASSERT_GT(orphan, 0);
  EXPECT_NE(::kill(orphan, 0), 0) << "pid " << orphan << " survived the peer";
  EXPECT_EQ(::kill(mine, 0), 0) << "our own child (not the peer's) was killed";
  ::kill(mine, SIGKILL);
  int st;
  waitpid(mine, &st, 0);
}

}  // namespace
}  // namespace bitnet::compare
