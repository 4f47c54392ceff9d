// Discovery + launch + parse + JSON, end to end, against fake llama-bench / llama-cli executables
// that replay recorded transcripts (no real peer needed). Also the bitnet-compare CLI itself.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
namespace fs = std::filesystem;

const std::string kModel = data("tiny-bitnet-A-TQ2_0.gguf");
const std::string kVersion = "version: 4748 (c392e5094)";

SearchInputs only_dir(const fs::path& dir) {
  SearchInputs in;
  in.llama_dir = dir.string();
  return in;
}

BenchRequest request(int threads) {
  BenchRequest r;
  r.model = kModel;
  r.n_prompt = 32;
  r.n_gen = 16;
  r.threads = {threads};
  r.repetitions = 3;
  r.timeout = 20s;
  r.kill_grace = 500ms;
  return r;
}

template <class F>
CompareError error_of(F&& f) {
  try {
    f();
  } catch (const CompareError& e) {
    return e;
  }
  return CompareError(kExitOk, "(no CompareError)");
}

// The first logged run that is not the `--version` query.
std::vector<std::string> logged_argv(const std::string& log) {
  std::stringstream ss(slurp(log));
  std::vector<std::string> v;
  for (std::string line; std::getline(ss, line);) {
    if (line != "--") {
      v.push_back(line);
      continue;
    }
    // Skips the probes (--version, --help) that precede the real run.
    if (std::find(v.begin(), v.end(), "--version") == v.end() &&
        std::find(v.begin(), v.end(), "--help") == v.end())
      return v;
    v.clear();
  }
  return v;
}

TEST(CompareE2E, LlamaBenchJsonBecomesRows) {
  TempDir t("e2e_bench");
  const std::string log = (t.path() / "argv.log").string();
  auto bin = install_fake(
      t.path() / "build/bin", "llama-bench",
      {{"version", kVersion}, {"stdout", transcript("bench-A-TQ2_0.json")}, {"argv_log", log}});
  std::vector<std::string> progress;
  BenchOutcome out = run_peer_bench(request(2), only_dir(t.path()),
                                    [&](const std::string& s) { progress.push_back(s); });
  EXPECT_EQ(out.context.tool, "llama-bench");
  EXPECT_EQ(out.context.binary, bin.string());
  EXPECT_EQ(out.context.version, kVersion);
  EXPECT_EQ(out.context.build_commit, "c392e5094");
  EXPECT_EQ(out.context.build_number, 4748);
  EXPECT_EQ(out.context.cpu_info, "Intel(R) Xeon(R) Processor");
  EXPECT_EQ(out.context.model_sha256,
            "d0b2906eb85271a226f3d386670155c67740ee3b897e1aa5ae5ab18ffae48fa2");
  EXPECT_EQ(out.context.model_label, "tiny-bitnet-a-tq2_0");
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[1].phase, "decode");
  EXPECT_EQ(out.rows[1].ns_per_token,
            (std::vector<double>{2486318.0 / 16, 2813743.0 / 16, 2357990.0 / 16}));
  EXPECT_EQ(logged_argv(log),
            (std::vector<std::string>{bin.string(), "-m", kModel, "-p", "32", "-n", "16", "-t", "2",
                                      "-r", "3", "-o", "json"}));
  ASSERT_FALSE(progress.empty());
  EXPECT_NE(progress[0].find("found via --llama-dir"), std::string::npos) << progress[0];
}

TEST(CompareE2E, VersionComesFromSiblingLlamaCliWhenLlamaBenchHasNone) {
  TempDir t("e2e_ver");
  // Real llama-bench answers --version with its usage and exit status 1.
  install_fake(t.path(), "llama-bench",
               {{"version", "error: invalid parameter for argument: --version"},
                {"version_exit", "1"},
                {"stdout", transcript("bench-A-TQ2_0.json")}});
  BenchOutcome out = run_peer_bench(request(2), only_dir(t.path()));
  EXPECT_EQ(out.context.version, "unknown (--version gave no version line)");
  EXPECT_EQ(out.context.build_commit, "c392e5094");  // from llama-bench's JSON
  install_fake(t.path(), "llama-cli", {{"version", kVersion}});
  out = run_peer_bench(request(2), only_dir(t.path()));
  EXPECT_EQ(out.context.version, kVersion);
}

TEST(CompareE2E, MissingThreadCountInOutputIsAFailure) {
  TempDir t("e2e_threads");
  install_fake(t.path(), "llama-bench",
               {{"version", kVersion}, {"stdout", transcript("bench-A-TQ2_0.json")}});
  CompareError e = error_of([&] { run_peer_bench(request(1), only_dir(t.path())); });
  EXPECT_EQ(e.code(), kExitPeerFailed);
  EXPECT_NE(std::string(e.what()).find("no prefill result for 1 thread"), std::string::npos)
      << e.what();
}

// A clean file of `bytes` written back to disk and dropped from the page cache.
void write_evicted(const fs::path& path, size_t bytes) {
  {
    std::ofstream out(path, std::ios::binary);
    const std::string block(1 << 16, 'm');
    for (size_t n = 0; n < bytes; n += block.size()) out << block;
  }
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// The peer's rows carry the counters ours do: resident_frac before the peer started and the
// peer process's major page faults, and a row that read from disk says so.
TEST(CompareE2E, PeerRowsReportResidencyAndMajorFaults) {
  TempDir t("e2e_faults");
  const fs::path model = t.path() / "cold-model.gguf";
  write_evicted(model, 8u << 20);
  install_fake(t.path(), "llama-bench",
               {{"version", kVersion},
                {"stdout", transcript("bench-A-TQ2_0.json")},
                {"fault_file", model.string()}});
  BenchRequest req = request(2);
  req.model = model.string();
  req.hash_model = false;  // hashing would read the file back in
  BenchOutcome out = run_peer_bench(req, only_dir(t.path()));
  ASSERT_EQ(out.rows.size(), 2u);
  for (const auto& m : out.rows) {
    ASSERT_TRUE(m.resident_frac && m.major_faults) << m.phase;
    EXPECT_LT(*m.resident_frac, 0.5) << m.phase;  // evicted before the peer started
    EXPECT_GT(*m.major_faults, 0) << m.phase;     // the fake read it from disk
  }
  const auto doc = to_gbench_json(out.context, out.rows);
  for (const auto& r : doc.at("benchmarks")) {
    EXPECT_EQ(r.at("major_faults"), *out.rows[0].major_faults);
    EXPECT_NE(r.value("label", "").find("disk reads: "), std::string::npos) << r.dump();
  }

  // Resident and never faulted: resident_frac 1, no faults, no label.
  install_fake(t.path(), "llama-bench",
               {{"version", kVersion}, {"stdout", transcript("bench-A-TQ2_0.json")}});
  (void)slurp(model.string());
  out = run_peer_bench(req, only_dir(t.path()));
  for (const auto& m : out.rows) {
    ASSERT_TRUE(m.resident_frac && m.major_faults) << m.phase;
    EXPECT_EQ(*m.resident_frac, 1.0) << m.phase;
  }
  const auto warm = to_gbench_json(out.context, out.rows);
  for (const auto& r : warm.at("benchmarks")) {
    if (r.at("major_faults") == 0) {
      EXPECT_FALSE(r.contains("label")) << r.dump();
    }
  }
}

TEST(CompareE2E, FallsBackToLlamaCli) {
  TempDir t("e2e_cli");
  const std::string log = (t.path() / "argv.log").string();
  auto bin = install_fake(t.path(), "llama-cli",
                          {{"version", kVersion},
                           {"stdout", transcript("cli-A-TQ2_0-t1.stdout")},
                           {"stderr", transcript("cli-A-TQ2_0-t1.stderr")},
                           {"argv_log", log}});
  BenchRequest req = request(1);
  req.repetitions = 2;
  req.cli_prompt = "The quick brown fox; $(rm -rf /)";
  BenchOutcome out = run_peer_bench(req, only_dir(t.path()));
  EXPECT_EQ(out.context.tool, "llama-cli");
  EXPECT_EQ(out.context.peer, "llama.cpp");
  ASSERT_EQ(out.rows.size(), 2u);
  for (const auto& m : out.rows) {
    ASSERT_EQ(m.ns_per_token.size(), 2u);
    if (m.phase == "decode") {
      EXPECT_EQ(m.tokens, 16);
      EXPECT_DOUBLE_EQ(m.ns_per_token[0], 3.13e6 / 15);
    } else {
      EXPECT_EQ(m.tokens, 5);
    }
  }
  EXPECT_EQ(logged_argv(log),
            (std::vector<std::string>{bin.string(), "-m", kModel, "-p", req.cli_prompt, "-n", "16",
                                      "-t", "1", "--temp", "0", "--seed", "42", "-no-cnv"}));
}

TEST(CompareE2E, BitnetCppIsFoundThroughItsEnvironmentVariable) {
  TempDir t("e2e_bitnetcpp");
  const std::string log = (t.path() / "argv.log").string();
  install_fake(t.path() / "build/bin", "llama-cli",
               {{"version", "version: 0 (unknown)"},
                {"stdout", transcript("cli-A-I2_S-t1.stdout")},
                {"stderr", transcript("cli-A-I2_S-t1.stderr")},
                {"argv_log", log}},
               /*bitnet_cpp=*/true);
  SearchInputs in;
  in.bitnet_cpp_dir = t.str();
  BenchRequest req = request(1);
  req.repetitions = 1;
  req.tool = PeerTool::kLlamaCli;
  BenchOutcome out = run_peer_bench(req, in);
  EXPECT_EQ(out.context.peer, "bitnet.cpp");
  EXPECT_EQ(out.context.build_commit, "unknown");
  auto argv = logged_argv(log);
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "-no-cnv"), 0) << "the 2024 fork has no -no-cnv";
}

TEST(CompareE2E, TruncatedModelFailureNamesTheCause) {
  TempDir t("e2e_trunc");
  install_fake(
      t.path(), "llama-cli",
      {{"version", kVersion}, {"stderr", transcript("err-truncated-gguf.stderr")}, {"exit", "1"}});
  BenchRequest req = request(1);
  req.model = data("truncated-1000.gguf");
  CompareError e = error_of([&] { run_peer_bench(req, only_dir(t.path())); });
  EXPECT_EQ(e.code(), kExitPeerFailed);
  const std::string msg = e.what();
  EXPECT_NE(msg.find("exited with status 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cause: the peer could not load the model: gguf_init_from_file_impl: failed "
                     "to read key-value pairs"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("main: error: unable to load model"), std::string::npos) << msg;  // the tail
}

TEST(CompareE2E, CrashTimeoutAndGarbageEachGiveTheirOwnMessage) {
  struct Case {
    std::map<std::string, std::string> cfg;
    ExitCode code;
    std::string expect;
  } cases[] = {
      {{{"mode", "segv"}, {"stderr", transcript("cli-A-TQ2_0-t1.stderr")}},
       kExitPeerFailed,
       "crashed: killed by signal 11"},
      {{{"mode", "sleep"}, {"sleep_ms", "30000"}}, kExitPeerFailed, "timed out"},
      {{{"mode", "garbage"}},
       kExitPeerFailed,
       "peer output unusable: llama-bench json: not valid JSON"},
      {{{"exit", "0"}}, kExitPeerFailed, "llama-bench printed nothing"},
  };
  for (auto& c : cases) {
    TempDir t("e2e_bad");
    c.cfg["version"] = kVersion;
    install_fake(t.path(), "llama-bench", c.cfg);
    BenchRequest req = request(2);
    // Only the sleeper needs a short timeout; the others must finish on their own even on a busy
    // machine.
    req.timeout = c.cfg.count("sleep_ms") ? 400ms : 20s;
    req.kill_grace = 300ms;
    if (c.expect == "llama-bench printed nothing") c.expect = "not valid JSON";
    CompareError e = error_of([&] { run_peer_bench(req, only_dir(t.path())); });
    EXPECT_EQ(e.code(), c.code) << e.what();
    EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
  }
}

TEST(CompareE2E, NotFoundIsDistinctFromFailure) {
  TempDir t("e2e_none");
  CompareError e = error_of([&] { run_peer_bench(request(2), only_dir(t.path())); });
  EXPECT_EQ(e.code(), kExitPeerNotFound);
  EXPECT_NE(std::string(e.what()).find((t.path() / "build/bin/llama-bench").string()),
            std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find((t.path() / "llama-cli").string()), std::string::npos)
      << e.what();
}

TEST(CompareE2E, MissingModelIsAnInputError) {
  TempDir t("e2e_nomodel");
  install_fake(t.path(), "llama-bench",
               {{"version", kVersion}, {"stdout", transcript("bench-A-TQ2_0.json")}});
  BenchRequest req = request(2);
  req.model = (t.path() / "does-not-exist.gguf").string();
  CompareError e = error_of([&] { run_peer_bench(req, only_dir(t.path())); });
  EXPECT_EQ(e.code(), kExitInput);  // docs/cli.md: a missing file is exit 3
  EXPECT_NE(std::string(e.what()).find("does-not-exist.gguf"), std::string::npos);
}

#ifdef BITNET_COMPARE_BIN
RunResult run_cli(std::vector<std::string> args, const std::string& path_env = "/nonexistent") {
  RunOptions o;
  o.argv = {BITNET_COMPARE_BIN};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = std::vector<std::string>{"PATH=" + path_env};  // no LLAMA_CPP_DIR / BITNET_CPP_DIR
  o.timeout = 30s;
  return run_process(o);
}

TEST(CompareE2E, CliWritesGoogleBenchmarkJsonAndUsesExitCodes) {
  TempDir t("e2e_cli_bin");
  install_fake(t.path() / "build/bin", "llama-bench",
               {{"version", kVersion}, {"stdout", transcript("bench-A-TQ2_0.json")}});
  const std::string out = (t.path() / "peer.json").string();
  RunResult r = run_cli({"-m", kModel, "-p", "32", "-n", "16", "-t", "2", "-r", "3", "--llama-dir",
                         t.str(), "-o", out});
  ASSERT_TRUE(r.ok()) << describe_failure(r, {"bitnet-compare"});
  auto j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j["context"]["peer_build_commit"], "c392e5094");
  EXPECT_EQ(j["benchmarks"].size(), 12u);
  EXPECT_EQ(j["benchmarks"][6]["name"], "peer/llama.cpp/decode/tiny-bitnet-a-tq2_0/threads:2");
  EXPECT_NE(r.stderr_text.find("running: "), std::string::npos);

  r = run_cli({"-m", kModel, "--llama-dir", (t.path() / "empty").string()});
  EXPECT_EQ(r.exit_code, kExitPeerNotFound) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("looked in:"), std::string::npos) << r.stderr_text;

  r = run_cli({"-m", (t.path() / "nope.gguf").string(), "--llama-dir", t.str()});
  EXPECT_EQ(r.exit_code, kExitInput) << r.stderr_text;
  r = run_cli({"-m", kModel, "--frobnicate"});
  EXPECT_EQ(r.exit_code, kExitUsage);
  EXPECT_NE(r.stderr_text.find("--frobnicate"), std::string::npos);

  install_fake(t.path() / "build/bin", "llama-bench", {{"version", kVersion}, {"mode", "segv"}});
  r = run_cli({"-m", kModel, "-t", "2", "--llama-dir", t.str()});
  EXPECT_EQ(r.exit_code, kExitPeerFailed) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("crashed"), std::string::npos) << r.stderr_text;
}

TEST(CompareE2E, CliCtrlCKillsThePeerAndExits130) {
  TempDir t("e2e_int");
  const std::string pid_file = (t.path() / "peer.pid").string();
  install_fake(
      t.path(), "llama-bench",
      {{"version", kVersion}, {"mode", "sleep"}, {"sleep_ms", "60000"}, {"pid_file", pid_file}});
  RunOptions o;
  o.argv = {BITNET_COMPARE_BIN, "-m", kModel, "-t", "2", "--llama-dir", t.str()};
  o.env = std::vector<std::string>{"PATH=/nonexistent"};
  o.timeout = 60s;
  RunResult r;
  std::thread runner([&] { r = run_process(o); });
  // Wait for the peer, then press "Ctrl-C": SIGINT to bitnet-compare (the peer's parent).
  pid_t peer = 0;
  for (int i = 0; i < 2000 && peer == 0; ++i) {
    std::ifstream(pid_file) >> peer;
    if (peer == 0) std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(peer, 0) << "the fake peer never started";
  const std::string stat = slurp("/proc/" + std::to_string(peer) + "/stat");
  pid_t parent = 0;
  std::sscanf(stat.c_str() + stat.rfind(')') + 2, "%*c %d", &parent);
  ASSERT_GT(parent, 1);
  kill(parent, SIGINT);
  runner.join();
  EXPECT_EQ(r.status, RunStatus::kExited) << describe_status(r);
  EXPECT_EQ(r.exit_code, kExitInterrupted) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("interrupted"), std::string::npos) << r.stderr_text;
  EXPECT_LT(r.wall_seconds, 30);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(peer, 0) != 0;
    if (!gone)
      gone = slurp("/proc/" + std::to_string(peer) + "/stat").find(") Z") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "peer " << peer << " survived";
}

TEST(CompareE2E, CliConvertAndTable) {
  TempDir t("e2e_convert");
  const std::string peer = (t.path() / "peer.json").string();
  RunResult r = run_cli({"convert", transcript("bench-A-TQ2_0.jsonl"), "-o", peer});
  ASSERT_TRUE(r.ok()) << r.stderr_text;
  const std::string ours = (t.path() / "ours.json").string();
  std::ofstream(ours) << R"({"context":{},"benchmarks":[
    {"name":"decode/tiny/pos:0/threads:2/real_time","run_name":"decode/tiny/pos:0/threads:2/real_time",
     "run_type":"iteration","real_time":0.1,"time_unit":"ms","tokens_per_second":12413.02}]})";
  const std::string merged = (t.path() / "merged.json").string();
  r = run_cli({"table", "--ours", ours, "--peer", peer, "--merged-out", merged});
  ASSERT_TRUE(r.ok()) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("decode/tiny/pos:0/threads:2"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("2.000x"), std::string::npos)
      << r.stdout_text;  // 12413.02 / median 6206.51
  EXPECT_EQ(nlohmann::json::parse(slurp(merged))["benchmarks"].size(), 13u);
}
#endif

}  // namespace
}  // namespace bitnet::compare
