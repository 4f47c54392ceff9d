// Hostile inputs through every tool: a spec must never reach a file outside the cache, a thread
// limit must fail cleanly, and malformed or endless inputs must give an error, never a crash,
// hang or silent pass. Each case is a command a user could type.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fixture_test_util.h"

namespace fs = std::filesystem;
using bitnet::testing::read_file;
using bitnet::testing::TempDir;
using bitnet::testing::write_file;

namespace {

struct Outcome {
  int rc = -1;
  std::string out, err;
  double seconds = 0;
};

// Runs `cmd` through sh with a hard wall-clock limit (timeout(1)), so a hang fails the test
// (rc 124) instead of stalling ctest.
Outcome sh(const std::string& cmd, const TempDir& dir, int limit_s = 60) {
  const std::string o = dir / "out.txt", e = dir / "err.txt";
  const auto t0 = std::chrono::steady_clock::now();
  const int st = std::system(("timeout -k 5 " + std::to_string(limit_s) + " sh -c '" + cmd + "' >" +
                              o + " 2>" + e + " </dev/null")
                                 .c_str());
  Outcome r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.out = read_file(o);
  r.err = read_file(e);
  return r;
}

std::string q(const std::string& s) {  // for use inside the single-quoted sh -c string
  return "\"" + s + "\"";
}

const std::string kTinyModel = std::string(BITNET_TEST_DATA_DIR) + "/tiny-bitnet-A-TQ2_0.gguf";

// A home with a cache and a file next to it that no spec may touch.
class Traversal : public ::testing::Test {
 protected:
  void SetUp() override {
    bitnet::testing::isolate_env(cache);
    ::setenv("BITNET_OFFLINE", "1", 1);
    ::setenv("BITNET_DL_RETRIES", "1", 1);
    ::setenv("HF_ENDPOINT", "http://127.0.0.1:1", 1);  // nothing listens: never the network
    fs::create_directories(cache + "/hf/own/rep/main");
    fs::create_directories(cache + "/models");
    write_file(victim, "precious, not a GGUF file\n");
    write_file(deep_victim, "also precious\n");
  }
  void expect_victims_intact(const std::string& what) {
    EXPECT_EQ(read_file(victim), "precious, not a GGUF file\n") << what;
    EXPECT_EQ(read_file(deep_victim), "also precious\n") << what;
  }
  TempDir home;
  const std::string cache = home / ".cache/bitnet-bench";
  const std::string victim = home / "notes.txt";
  const std::string deep_victim = home / ".cache/bitnet-bench/../victim2.txt";
};

// Every spec form that used to (or could) name a path outside the cache.
const std::vector<std::string> kHostileSpecs = {
    "hf:../../notes.txt@..",
    "hf:../../../notes.txt",
    "hf:own/rep/../../../../notes.txt",
    "hf:own/rep/x.gguf@..",
    "hf:own/../../../../notes.txt/x@main",
    "hf:../rep/x.gguf",
    "hf:own/rep//x.gguf",
    "hf:own/rep/./x.gguf",
    "hf:own/rep/x.gguf@.",
    "hf:own/rep/x.gguf@",
    "hf:own/rep/a b.gguf",
    "hf:own/rep/x\\\\y.gguf",
    "hf:own/rep/..",
    "hf:../../own/rep/resolve/main/x.gguf@..",
    "hf:own/rep/%2e%2e/notes.txt",
};

TEST_F(Traversal, EveryToolRefusesEveryHostileSpecAndTheFileOutsideSurvives) {
  TempDir scratch;
  for (const std::string& spec : kHostileSpecs) {
    for (const std::string& cmd :
         {std::string(BITNET_FIXTURES_CLI) + " resolve " + q(spec),
          std::string(BITNET_FIXTURES_CLI) + " info " + q(spec),
          std::string(BITNET_FIXTURES_CLI) + " verify " + q(spec),
          std::string(BITNET_FIXTURES_CLI) + " download " + q(spec),
          std::string(BITNET_RUN_EXE) + " -m " + q(spec) + " -p 1 -n 1",
          std::string(BITNET_BENCHES_EXE) + " " + q("--bitnet_model=" + spec) +
              " --benchmark_filter=decode --benchmark_min_time=0.01"}) {
      const Outcome r = sh(cmd, scratch);
      EXPECT_NE(r.rc, 0) << cmd << "\n" << r.err;
      EXPECT_NE(r.rc, 124) << cmd << " hung";
      expect_victims_intact(cmd);
    }
  }
}

TEST_F(Traversal, ParseErrorsNameTheField) {
  TempDir scratch;
  Outcome r =
      sh(std::string(BITNET_FIXTURES_CLI) + " resolve " + q("hf:../../notes.txt@.."), scratch);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("OWNER"), std::string::npos) << r.err;
  r = sh(std::string(BITNET_FIXTURES_CLI) + " resolve " + q("hf:own/rep/x.gguf@.."), scratch);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("REVISION"), std::string::npos) << r.err;
  r = sh(std::string(BITNET_FIXTURES_CLI) + " resolve " + q("hf:own/rep/a/../../x.gguf"), scratch);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("FILE"), std::string::npos) << r.err;
}

TEST_F(Traversal, AManifestCannotPointOutsideTheCache) {
  TempDir scratch;
  const std::string man = scratch / "manifest.json";
  write_file(man, R"({"default": "../../..", "models": [
    {"id": "../../..", "repo": "own/rep", "file": "notes.txt", "revision": "main",
     "size": 27, "sha256": ")" +
                      std::string(64, 'a') + R"("}]})");
  ::setenv("BITNET_MANIFEST", man.c_str(), 1);
  for (const std::string& cmd : {std::string(BITNET_FIXTURES_CLI) + " resolve ../../..",
                                 std::string(BITNET_FIXTURES_CLI) + " resolve",
                                 std::string(BITNET_FIXTURES_CLI) + " verify ../../.."}) {
    const Outcome r = sh(cmd, scratch);
    EXPECT_NE(r.rc, 0) << cmd << "\n" << r.err;
    expect_victims_intact(cmd);
  }
}

TEST_F(Traversal, ASymlinkInsideTheCacheIsNotFollowedOut) {
  TempDir scratch;
  fs::create_symlink(home.path(), cache + "/hf/evil");
  const Outcome r =
      sh(std::string(BITNET_FIXTURES_CLI) + " resolve " + q("hf:evil/rep/x.gguf"), scratch);
  EXPECT_NE(r.rc, 0) << r.err;
  fs::create_directories(cache + "/hf/own2");
  fs::create_symlink(home.path(), cache + "/hf/own2/rep");
  // <cache>/hf/own2/rep/main/... would be <home>/main/...: refused before any stat or remove.
  fs::create_directories(home / "main");
  write_file(home / "main/notes.txt", "precious\n");
  const Outcome r2 =
      sh(std::string(BITNET_FIXTURES_CLI) + " resolve " + q("hf:own2/rep/notes.txt"), scratch);
  EXPECT_EQ(r2.rc, 2) << r2.err;
  EXPECT_NE(r2.err.find("not inside the cache"), std::string::npos) << r2.err;
  EXPECT_EQ(read_file(home / "main/notes.txt"), "precious\n");
  expect_victims_intact("symlink");
}

TEST_F(Traversal, AFileTheCacheDidNotCreateIsNeverDeleted) {
  // Valid spec, but the file at its cache path is the user's (no stamp) and fails verification.
  TempDir scratch;
  const std::string mine = cache + "/hf/own/rep/main/x.gguf";
  write_file(mine, "my notes, not a model\n");
  const Outcome r =
      sh(std::string(BITNET_FIXTURES_CLI) + " resolve " + q("hf:own/rep/x.gguf"), scratch);
  EXPECT_EQ(r.rc, 5) << r.err;
  EXPECT_NE(r.err.find("not deleting"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(mine), "my notes, not a model\n");
}

TEST(VerifyStructure, TruncatedTensorDataIsRejected) {
  TempDir dir;
  bitnet::testing::isolate_env(dir / "cache");
  const std::string model = read_file(kTinyModel);
  ASSERT_GT(model.size(), 1000u);
  write_file(dir / "cut.gguf", model.substr(0, model.size() - 64));
  Outcome r = sh(std::string(BITNET_FIXTURES_CLI) + " verify " + q(dir / "cut.gguf"), dir);
  EXPECT_EQ(r.rc, 5) << r.out << r.err;
  EXPECT_NE(r.err.find("exceeds file size"), std::string::npos) << r.err;
  write_file(dir / "whole.gguf", model);
  r = sh(std::string(BITNET_FIXTURES_CLI) + " verify " + q(dir / "whole.gguf"), dir);
  EXPECT_EQ(r.rc, 0) << r.err;
}

TEST(ThreadLimits, EveryToolRefusesAbsurdThreadCountsQuickly) {
  TempDir dir;
  bitnet::testing::isolate_env(dir / "cache");
  // 4 GB of address space, so a run that did start 1000 threads cannot take the machine down. ASan
  // reserves terabytes up front, so under ASan only the refusal itself is checked.
#if defined(__SANITIZE_ADDRESS__)
  const std::string limit;
#else
  const std::string limit = "ulimit -v 4194304; ";
#endif
  Outcome r = sh(
      limit + "exec " + std::string(BITNET_RUN_EXE) + " -m " + q(kTinyModel) + " -p 1 -n 1 -t 1000",
      dir);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.rc, 124) << "bitnet-run hung";
  EXPECT_NE(r.err.find("at most"), std::string::npos) << r.err;
  r = sh(std::string(BITNET_FIXTURES_CLI) + " generate tiny --format tq2_0 --threads 1000 -o " +
             q(dir / "gen/m.gguf"),
         dir);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("at most"), std::string::npos) << r.err;
  if (fs::exists(dir / "gen"))
    for (const auto& e : fs::directory_iterator(dir / "gen"))
      ADD_FAILURE() << "left behind: " << e.path();
  r = sh(std::string(BITNET_BENCHES_EXE) + " --bitnet_threads=1000 --benchmark_filter=none", dir);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("--bitnet_threads=1000"), std::string::npos) << r.err;
}

TEST(ThreadLimits, AThreadTheOsRefusesIsACleanError) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "ASan reserves terabytes of address space: ulimit -v cannot apply";
#else
  TempDir dir;
  bitnet::testing::isolate_env(dir / "cache");
  // 60 threads (under the cap) with 64 MB stacks in 1 GB of address space: the OS says no.
  const Outcome r = sh("ulimit -s 65536; ulimit -v 1048576; exec " + std::string(BITNET_RUN_EXE) +
                           " -m " + q(kTinyModel) + " -p 1 -n 1 -t 60",
                       dir);
  EXPECT_NE(r.rc, 124) << "bitnet-run hung";
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("could start only"), std::string::npos) << r.err;
#endif
}

// The tiny model with its u32 bitnet.context_length (256) set to `ctx`.
std::string tiny_model_with_context_length(uint32_t ctx) {
  std::string bytes = read_file(kTinyModel);
  const std::string key = "bitnet.context_length";
  const size_t at = bytes.find(key);
  EXPECT_NE(at, std::string::npos);
  if (at == std::string::npos) return bytes;
  uint32_t type = 0, old = 0;
  std::memcpy(&type, bytes.data() + at + key.size(), 4);
  std::memcpy(&old, bytes.data() + at + key.size() + 4, 4);
  EXPECT_EQ(type, 4u);  // GGUF_TYPE_UINT32
  EXPECT_EQ(old, 256u);
  std::memcpy(bytes.data() + at + key.size() + 4, &ctx, 4);
  return bytes;
}

// Peak RSS (MiB) of the largest process this test process has waited for, sh's children too.
long children_max_rss_mib() {
  rusage ru{};
  ::getrusage(RUSAGE_CHILDREN, &ru);
  return ru.ru_maxrss / 1024;
}

// A 580 KB file asking for 2^22 positions used to size a 4 GB KV cache (2 layers x K,V x 128
// floats of f16 per position); without --ctx the run now uses 4096 and says so.
TEST(ContextLimits, AHugeContextLengthInTheFileIsCappedWithANote) {
  TempDir dir;
  bitnet::testing::isolate_env(dir / "cache");
  write_file(dir / "huge-ctx.gguf", tiny_model_with_context_length(1u << 22));
  const Outcome r =
      sh(std::string(BITNET_RUN_EXE) + " -m " + q(dir / "huge-ctx.gguf") + " -p 1 -n 1 -t 1", dir);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.err.find("context_length is 4194304; using --ctx 4096"), std::string::npos) << r.err;
  EXPECT_LT(children_max_rss_mib(), 512) << "a capped context needs a few MB of KV cache";
}

// An explicit --ctx 2^22 with 64 threads: the KV cache (4 GB) and the per-thread attention
// scratch (64 threads x 2 heads per KV head x 2^22 floats, 2 GB) are reserved, but only the
// positions the run reaches may become resident: zero-filling them took 2.1 GB of RSS.
TEST(ContextLimits, AHugeExplicitContextOnlyCostsThePositionsUsed) {
  TempDir dir;
  bitnet::testing::isolate_env(dir / "cache");
  const Outcome r =
      sh(std::string(BITNET_RUN_EXE) + " -m " + q(kTinyModel) + " -p 1 -n 1 -t 64 --ctx 4194304",
         dir, 120);
  EXPECT_EQ(r.rc, 0) << r.err;
#if !defined(__SANITIZE_ADDRESS__)  // ASan poisons the shadow of a freed block: 1/8 of its size
  EXPECT_LT(children_max_rss_mib(), 512) << "only the positions the run reaches may be resident";
#endif
}

TEST(GbenchFlags, NegativeRepetitionsAreAUsageError) {
  TempDir dir;
  for (const std::string flag : {"--benchmark_repetitions=-1", "--benchmark_repetitions=0",
                                 "--benchmark_repetitions=x", "--benchmark_min_time=-1"}) {
    const Outcome r =
        sh(std::string(BITNET_BENCHES_EXE) + " " + flag + " --benchmark_filter=none", dir);
    EXPECT_EQ(r.rc, 2) << flag << "\n" << r.err;
    EXPECT_NE(r.err.find(flag.substr(0, flag.find('='))), std::string::npos) << r.err;
  }
}

TEST(GbenchFlags, AFilterThatMatchesNothingDoesNotProbeTheMachine) {
  TempDir dir;
  bitnet::testing::isolate_env(dir / "cache");  // an empty probe cache: a probe would write one
  const Outcome r = sh(std::string(BITNET_BENCHES_EXE) +
                           " --bitnet_threads=1 --benchmark_filter=no_such_benchmark_anywhere",
                       dir);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_FALSE(fs::exists(dir / "cache/probe")) << "probed for a run that selects nothing";
  // quant_act rows report no machine fractions either.
  const Outcome q = sh(std::string(BITNET_BENCHES_EXE) +
                           " --bitnet_threads=1 --benchmark_min_time=0.001"
                           " --benchmark_filter=^quant_act/i8_s/dispatch/N:1/",
                       dir);
  EXPECT_EQ(q.rc, 0) << q.err;
  EXPECT_FALSE(fs::exists(dir / "cache/probe")) << q.err;
}

TEST(CompareConvert, MalformedAndEndlessInputsAreErrors) {
  TempDir dir;
  write_file(dir / "one-line.txt", "hello world\n");
  write_file(dir / "header.csv",
             "build_commit,build_number,cpu_info,model_filename,n_threads,n_prompt,n_gen,avg_ns,"
             "stddev_ns,avg_ts,stddev_ts\n");
  write_file(dir / "bom.txt", "\xEF\xBB\xBF");
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  for (const std::string& in : {dir / "one-line.txt", dir / "header.csv", dir / "bom.txt",
                                dir / "fifo", std::string("/dev/zero"), dir.path()}) {
    const Outcome r = sh(std::string(BITNET_COMPARE_BIN) + " convert " + q(in), dir, 30);
    EXPECT_EQ(r.rc, 3) << in << "\n" << r.err;  // docs/cli.md: a bad input file is exit 3
    EXPECT_NE(r.err.find(in), std::string::npos) << r.err;
  }
}

TEST(CompareTimeout, BadValuesAreUsageErrors) {
  TempDir dir;
  write_file(dir / "m.gguf", "GGUF");
  for (const std::string v : {"-1", "0", "nan", "1e18", "inf", "x"}) {
    const Outcome r = sh(std::string(BITNET_COMPARE_BIN) + " bench -m " + q(dir / "m.gguf") +
                             " --llama-dir " + q(dir.path()) + " --timeout " + v,
                         dir, 30);
    EXPECT_EQ(r.rc, 2) << v << "\n" << r.err;
    EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
  }
}

const char* kGbRow = R"({"name": "BM_a", "run_type": "iteration", "iterations": 1,
  "real_time": %s, "cpu_time": 1.0, "time_unit": "ns"})";

std::string gb_json(const std::vector<std::string>& times) {
  std::string rows;
  for (const auto& t : times) {
    char buf[256];
    std::snprintf(buf, sizeof buf, kGbRow, t.c_str());
    if (!rows.empty()) rows += ",";
    rows += buf;
  }
  return "{\"context\": {}, \"benchmarks\": [" + rows + "]}";
}

TEST(BenchDiff, EmptyOrRenamedContenderFailsUnlessAllowed) {
  TempDir dir;
  write_file(dir / "base.json", gb_json({"10", "11", "12"}));
  write_file(dir / "empty.json", R"({"benchmarks": []})");
  std::string renamed = gb_json({"10", "11", "12"});
  renamed.replace(renamed.find("BM_a"), 4, "BM_b");
  while (renamed.find("BM_a") != std::string::npos)
    renamed.replace(renamed.find("BM_a"), 4, "BM_b");
  write_file(dir / "renamed.json", renamed);
  for (const std::string c : {"empty.json", "renamed.json"}) {
    Outcome r =
        sh(std::string(BENCH_DIFF_BIN) + " " + q(dir / "base.json") + " " + q(dir / c), dir);
    EXPECT_EQ(r.rc, 1) << c << "\n" << r.out << r.err;
    r = sh(
        std::string(BENCH_DIFF_BIN) + " --allow-removed " + q(dir / "base.json") + " " + q(dir / c),
        dir);
    EXPECT_EQ(r.rc, 0) << c << "\n" << r.out << r.err;
  }
}

TEST(BenchDiff, NonPositiveTimesAreInputErrors) {
  TempDir dir;
  write_file(dir / "base.json", gb_json({"10", "11", "12"}));
  for (const std::string bad : {"-5", "0"}) {
    write_file(dir / "bad.json", gb_json({"10", bad, "12"}));
    const Outcome r = sh(
        std::string(BENCH_DIFF_BIN) + " " + q(dir / "base.json") + " " + q(dir / "bad.json"), dir);
    EXPECT_EQ(r.rc, 3) << bad << "\n" << r.out << r.err;  // input error (docs/cli.md)
    EXPECT_NE(r.err.find("benchmarks[1].real_time"), std::string::npos) << r.err;
  }
}

TEST(BenchDiff, DeepNestingIsRefusedNotAStackOverflow) {
  TempDir dir;
  write_file(dir / "base.json", gb_json({"10", "11", "12"}));
  const size_t depth = 100000;
  write_file(dir / "deep.json", "{\"benchmarks\": [], \"context\": " + std::string(depth, '[') +
                                    std::string(depth, ']') + "}");
  write_file(dir / "deep2.json", std::string(depth, '[') + std::string(depth, ']'));
  for (const std::string f : {"deep.json", "deep2.json"}) {
    const Outcome r =
        sh(std::string(BENCH_DIFF_BIN) + " " + q(dir / "base.json") + " " + q(dir / f), dir);
    EXPECT_EQ(r.rc, 3) << f << "\n" << r.err;  // input error (docs/cli.md)
    EXPECT_NE(r.err.find("nested deeper"), std::string::npos) << r.err;
  }
}

TEST(BenchDiff, ManyRepetitionsNeedNoQuadraticMemoryAndExactIsBounded) {
  TempDir dir;
  std::vector<std::string> a, b;
  for (int i = 0; i < 20000; ++i) {
    a.push_back(std::to_string(100 + (i * 7919) % 1000 * 0.01));
    b.push_back(std::to_string(101 + (i * 104729) % 1000 * 0.01));
  }
  write_file(dir / "a.json", gb_json(a));
  write_file(dir / "b.json", gb_json(b));
  // 20 000 x 20 000 differences would be 3.2 GB; 1 GB of address space is plenty without them.
#if defined(__SANITIZE_ADDRESS__)
  const std::string limit;
#else
  const std::string limit = "ulimit -v 1048576; ";
#endif
  Outcome r = sh(limit + "exec " + std::string(BENCH_DIFF_BIN) + " --threshold 0.5 --format json " +
                     q(dir / "a.json") + " " + q(dir / "b.json"),
                 dir, 120);
  EXPECT_EQ(r.rc, 1) << r.err;  // a 1 % slowdown with 20 000 repetitions is significant
  EXPECT_NE(r.out.find("\"ci\": ["), std::string::npos) << r.out.substr(0, 2000);
  std::vector<std::string> c(a.begin(), a.begin() + 400), d(b.begin(), b.begin() + 400);
  write_file(dir / "c.json", gb_json(c));
  write_file(dir / "d.json", gb_json(d));
  r = sh(std::string(BENCH_DIFF_BIN) + " --method exact " + q(dir / "c.json") + " " +
             q(dir / "d.json"),
         dir);
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("only up to 100"), std::string::npos) << r.err;
}

}  // namespace
