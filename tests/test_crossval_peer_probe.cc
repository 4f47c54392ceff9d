// Peer detection by asking the binary (fake peers): flavour, accepted flags, version, caching,
// and what crossval/bench then pass to llama-cli.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bitnet/compare/crossval.h"
#include "bitnet/compare/peer_probe.h"
#include "bitnet/compare/peer_runner.h"
#include "compare_helpers/test_util.h"

namespace bitnet::compare {
namespace {
namespace fs = std::filesystem;
using testing::install_fake;
using testing::slurp;
using testing::TempDir;
using testing::transcript;

// bitnet.cpp's real llama-cli --help (406a503): no -no-cnv.
std::string fork_help(const fs::path&) {
  return transcript("help-llama-cli-bitnetcpp-406a503.txt");
}

size_t count_runs(const std::string& log, const std::string& arg) {
  std::istringstream in(slurp(log));
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line == arg;
  return n;
}

TEST(PeerProbe, HelpFlagsFromRealLlamaCppHelp) {
  const auto f = parse_help_flags(slurp(transcript("help-llama-cli-c392e5094.txt")));
  EXPECT_TRUE(f.at("-no-cnv"));
  EXPECT_TRUE(f.at("-cnv"));
  EXPECT_TRUE(f.at("--verbose-prompt"));
  EXPECT_FALSE(f.at("--kl-divergence-base"));
  const auto p = parse_help_flags(slurp(transcript("help-llama-perplexity-c392e5094.txt")));
  EXPECT_TRUE(p.at("--kl-divergence-base"));
  EXPECT_TRUE(p.at("--kl-divergence"));
  EXPECT_TRUE(p.at("--chunks"));
  EXPECT_FALSE(parse_help_flags("  -no-cnv-ish  --verbose-prompts\n").at("-no-cnv"));
  const auto b = parse_help_flags(slurp(transcript("help-llama-cli-bitnetcpp-406a503.txt")));
  EXPECT_FALSE(b.at("-no-cnv"));
  EXPECT_TRUE(b.at("-cnv"));
  EXPECT_TRUE(b.at("--verbose-prompt"));
}

TEST(PeerProbe, FlavourComesFromTheBinaryNotFromWhereItWasFound) {
  TempDir t("probe_flavour");
  const std::string cache = (t.path() / "cache.json").string();
  const fs::path upstream = install_fake(t.path() / "a", "llama-cli",
                                         {{"version", "version: 4748 (c392e5094)"},
                                          {"help", transcript("help-llama-cli-c392e5094.txt")}});
  const fs::path fork =
      install_fake(t.path() / "b", "llama-cli",
                   {{"version", "version: 0 (unknown)"}, {"help", fork_help(t.path())}},
                   /*bitnet_cpp=*/true);
  const PeerProbe u = probe_peer(upstream, cache);
  EXPECT_EQ(u.flavour, "llama.cpp");
  EXPECT_EQ(u.version, "version: 4748 (c392e5094)");
  EXPECT_EQ(u.commit.value_or(""), "c392e5094");
  EXPECT_TRUE(u.cli_needs_no_cnv());
  const PeerProbe b = probe_peer(fork, cache);
  EXPECT_EQ(b.flavour, "bitnet.cpp");
  EXPECT_FALSE(b.accepts("-no-cnv"));
  EXPECT_TRUE(b.accepts("--verbose-prompt"));
  EXPECT_FALSE(b.cli_needs_no_cnv());
  ASSERT_FALSE(b.evidence.empty());
  EXPECT_NE(b.evidence[0].find("i2_s"), std::string::npos);
  EXPECT_EQ(probe_peer(fork, cache).to_json(), b.to_json());
}

TEST(PeerProbe, CachedPerBinaryPathAndMtime) {
  TempDir t("probe_cache");
  const std::string cache = (t.path() / "cache.json").string();
  const std::string log = (t.path() / "argv.log").string();
  const fs::path bin = install_fake(t.path(), "llama-cli",
                                    {{"version", "version: 4748 (c392e5094)"},
                                     {"help", transcript("help-llama-cli-c392e5094.txt")},
                                     {"argv_log", log}},
                                    /*bitnet_cpp=*/true);  // a real file: its mtime is ours
  probe_peer(bin, cache);
  probe_peer(bin, cache);
  EXPECT_EQ(count_runs(log, "--help"), 1u);
  ASSERT_TRUE(fs::exists(cache));
  // A new build (new mtime) is asked again, even by a fresh process (file cache only).
  struct timespec ts[2] = {{1700000000, 0}, {1700000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, bin.c_str(), ts, 0), 0);
  probe_peer(bin, cache);
  EXPECT_EQ(count_runs(log, "--help"), 2u);
  // A damaged cache file is rebuilt, not trusted.
  std::ofstream(cache) << "{not json";
  ts[0].tv_sec = ts[1].tv_sec = 1700000100;
  ASSERT_EQ(utimensat(AT_FDCWD, bin.c_str(), ts, 0), 0);
  EXPECT_EQ(probe_peer(bin, cache).flavour, "bitnet.cpp");
  EXPECT_EQ(count_runs(log, "--help"), 3u);
}

std::vector<std::string> cli_run_argv(const std::string& log) {
  std::istringstream in(slurp(log));
  std::vector<std::string> v;
  for (std::string line; std::getline(in, line);) {
    if (line != "--") {
      v.push_back(line);
      continue;
    }
    if (std::find(v.begin(), v.end(), "-m") != v.end()) return v;
    v.clear();
  }
  return {};
}

// The reported bug: bitnet.cpp's build passed as --llama-dir got -no-cnv and failed.
TEST(PeerProbe, CrossvalAsksBitnetCppBinaryAndOmitsNoCnv) {
  TempDir t("probe_crossval");
  setenv("BITNET_PEER_CACHE", (t.path() / "cache.json").c_str(), 1);
  const std::string log = (t.path() / "argv.log").string();
  install_fake(t.path() / "build/bin", "llama-cli",
               {{"version", "version: 0 (unknown)"},
                {"help", fork_help(t.path())},
                {"stdout", transcript("cli-A-TQ2_0-t1-verbose-prompt.stdout")},
                {"stderr", transcript("cli-A-TQ2_0-t1-verbose-prompt.stderr")},
                {"argv_log", log}},
               /*bitnet_cpp=*/true);
  CrossvalOptions o;
  o.model = testing::data("tiny-bitnet-A-TQ2_0.gguf");
  o.bitnet_run = BITNET_RUN_BIN;
  SearchInputs in;
  in.llama_dir = t.str();  // found via --llama-dir, not BITNET_CPP_DIR
  const CrossvalReport r = run_crossval(o, in);
  const auto argv = cli_run_argv(log);
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "-no-cnv"), 0);
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--verbose-prompt"), 1);
  EXPECT_EQ(r.peer.at("flavour"), "bitnet.cpp");
  EXPECT_EQ(r.to_json().at("peer").at("version"), "version: 0 (unknown)");
  EXPECT_TRUE(r.tokens_ok) << r.summary;
  unsetenv("BITNET_PEER_CACHE");
}

TEST(PeerProbe, BenchFallbackPassesNoCnvOnlyWhenListed) {
  for (bool fork : {false, true}) {
    TempDir t(fork ? "probe_bench_fork" : "probe_bench_up");
    setenv("BITNET_PEER_CACHE", (t.path() / "cache.json").c_str(), 1);
    const std::string log = (t.path() / "argv.log").string();
    install_fake(t.path(), "llama-cli",
                 {{"version", "version: 4748 (c392e5094)"},
                  {"help", fork ? fork_help(t.path()) : transcript("help-llama-cli-c392e5094.txt")},
                  {"stdout", transcript("cli-A-TQ2_0-t1.stdout")},
                  {"stderr", transcript("cli-A-TQ2_0-t1.stderr")},
                  {"argv_log", log}},
                 fork);
    BenchRequest req;
    req.model = testing::data("tiny-bitnet-A-TQ2_0.gguf");
    req.n_prompt = 0;
    req.n_gen = 16;
    req.repetitions = 1;
    req.tool = PeerTool::kLlamaCli;
    SearchInputs in;
    in.llama_dir = t.str();
    const BenchOutcome out = run_peer_bench(req, in);
    EXPECT_EQ(out.context.peer, fork ? "bitnet.cpp" : "llama.cpp");
    const auto argv = cli_run_argv(log);
    EXPECT_EQ(std::count(argv.begin(), argv.end(), "-no-cnv"), fork ? 0 : 1);
    unsetenv("BITNET_PEER_CACHE");
  }
}

}  // namespace
}  // namespace bitnet::compare
