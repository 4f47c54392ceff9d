// The bitnet_benches command line end to end: our flags' errors, Google Benchmark's own flag
// rejection, and the clear error when an ISA the CPU lacks is forced.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <stdlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "bitnet/fixtures/model_view.h"
#include "bitnet/kernels/cpu.h"

namespace {

struct Result {
  int exit_code;
  std::string output;  // stdout + stderr
};

Result run_env(const std::string& env, const std::string& args) {
  std::string cmd = env + std::string(BITNET_BENCHES_EXE) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

Result run(const std::string& args) {
  return run_env("", args);
}

TEST(BenchCli, ForcingAnUnavailableIsaIsAClearError) {
  for (bitnet::Isa isa : {bitnet::Isa::kAvx512Vnni, bitnet::Isa::kAvx512}) {
    if (bitnet::cpu_has(isa)) continue;
    const std::string name(bitnet::isa_name(isa));
    Result r = run("--bitnet_isa=" + name + " --benchmark_filter=gemv");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("CPU lacks " + name), std::string::npos) << r.output;
    return;
  }
  GTEST_SKIP() << "this CPU runs every ISA we build for";
}

TEST(BenchCli, UnknownFlagsAreRejected) {
  Result ours = run("--bitnet_nope");
  EXPECT_EQ(ours.exit_code, 2);
  EXPECT_NE(ours.output.find("unknown flag --bitnet_nope"), std::string::npos) << ours.output;
  Result theirs = run("--benchmark_nope=1 --benchmark_filter=NOTHING");
  EXPECT_NE(theirs.exit_code, 0);
  EXPECT_NE(theirs.output.find("unrecognized"), std::string::npos) << theirs.output;
}

TEST(BenchCli, AcceptsMinTimeWithSecondsSuffix) {
  Result r = run("--benchmark_min_time=0.001s --benchmark_filter=^quant_act/i8_s/dispatch/N:1/");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("read as --benchmark_min_time=0.001"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("quant_act/i8_s/dispatch/N:1/K:2560/threads:1/real_time"),
            std::string::npos)
      << r.output;
}

TEST(BenchCli, ListsStableNames) {
  Result r =
      run("--bitnet_quick --benchmark_list_tests=true --benchmark_filter=^gemv/tq2_0/dispatch");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("gemv/tq2_0/dispatch/M:2560/K:2560/N:1/threads:1/hot/real_time"),
            std::string::npos)
      << r.output;
}

// --bitnet_full: decode and prefill rows for the synthetic model of every real shape (TQ2_0 with
// llama.cpp's Q4_0 fallback for 3B, I2_S where rows allow); listing generates nothing.
TEST(BenchCli, FullSuiteListsEveryRealShape) {
  Result r = run("--bitnet_full --benchmark_list_tests=true --benchmark_filter=^prefill/");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* m :
       {"2b4t-tq2_0-f16-bitnet", "2b4t-i2_s-f16-bitnet", "2b4t-tq1_0-f16-bitnet",
        "bitnet-0.7b-tq2_0-f16-bitnet", "bitnet-0.7b-i2_s-f16-bitnet", "3b-tq2_0-f16-bitnet",
        "falcon3-1b-tq2_0-f16-llama", "falcon3-1b-i2_s-f16-llama", "falcon3-3b-i2_s-f16-llama",
        "falcon3-7b-tq2_0-f16-llama", "8b-tq2_0-f16-llama", "8b-i2_s-f16-llama",
        "falcon3-10b-tq2_0-f16-llama", "falcon3-10b-i2_s-f16-llama"})
    EXPECT_NE(r.output.find(std::string("prefill/") + m + "-s1-g1/tokens:128/threads:1/"),
              std::string::npos)
        << m << "\n"
        << r.output;
  EXPECT_EQ(r.output.find("prefill/3b-i2_s"), std::string::npos) << "3B rows of 8640 as I2_S";
  Result two = run("--bitnet_models=8b --benchmark_list_tests=true --benchmark_filter=^decode/");
  EXPECT_EQ(two.exit_code, 0) << two.output;
  EXPECT_NE(two.output.find("decode/8b-tq2_0-f16-llama-s1-g1/pos:"), std::string::npos);
  EXPECT_EQ(two.output.find("decode/2b4t"), std::string::npos) << two.output;
}

// A model of an arch the engine does not run: its rows fail with that reason (nothing is generated
// for it); once the engine runs the arch, the same rows measure it.
TEST(BenchCli, DecodeRowsOfAnArchTheEngineDoesNotRunFailClearly) {
  char dir[] = "/tmp/bitnet-bench-cli-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string cache = dir;
  const std::string env = "BITNET_CACHE=" + cache + " ";
  Result p = run_env(env,
                     "--bitnet_model=synthetic:tiny-llama:tq2_0@1 --bitnet_threads=1 "
                     "--benchmark_min_time=0.001 --benchmark_filter=^prefill/");
  if (bitnet::fixtures::engine_supports_arch("llama")) {
    EXPECT_EQ(p.exit_code, 0) << p.output;
    EXPECT_EQ(p.output.find("ERROR OCCURRED"), std::string::npos) << p.output;
  } else {
    EXPECT_EQ(p.exit_code, 0) << p.output;
    EXPECT_NE(p.output.find("prefill/tiny-llama-tq2_0-f16-llama-s1-g1/tokens:128/threads:1/"
                            "real_time ERROR OCCURRED: 'arch llama not supported by the engine"),
              std::string::npos)
        << p.output;
    EXPECT_FALSE(std::filesystem::exists(cache + "/synthetic")) << "generated for nothing";
  }
  std::filesystem::remove_all(cache);
}

}  // namespace

// Fractions and per-second counters print as plain numbers on the console (the stock reporter
// would append "/s" to every rate counter); other rates keep their unit.
TEST(BenchCli, ConsoleShowsFractionsWithoutPerSecond) {
  Result r =
      run("--benchmark_min_time=0.001 "
          "--benchmark_filter='^gemv/tq2_0/dispatch/M:640/K:2560/N:1/threads:1/hot'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_NE(r.output.find("bw_frac="), std::string::npos) << r.output;
  ASSERT_NE(r.output.find("GOPS="), std::string::npos) << r.output;
  for (const char* name : {"bw_frac=", "peak_frac=", "GOPS="}) {
    const size_t at = r.output.find(name);
    if (at == std::string::npos) continue;  // peak_frac needs a probed peak
    const size_t end = r.output.find(' ', at);
    EXPECT_EQ(r.output.substr(at, end - at).find("/s"), std::string::npos) << r.output;
  }
  EXPECT_NE(r.output.find("bytes_per_second="), std::string::npos) << r.output;
  const size_t bps = r.output.find("bytes_per_second=");
  EXPECT_NE(r.output.substr(bps, r.output.find(' ', bps) - bps).find("/s"), std::string::npos);
}

// The console reporter above must not replace another --benchmark_format.
TEST(BenchCli, JsonFormatStaysJson) {
  Result r =
      run("--benchmark_min_time=0.001 --benchmark_format=json "
          "--benchmark_filter='^gemv/tq2_0/dispatch/M:640/K:2560/N:1/threads:1/hot' 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("\"bw_frac\":"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("bw_frac="), std::string::npos) << r.output;
}
