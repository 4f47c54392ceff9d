// The suite's own flags: parsed and removed before Google Benchmark sees argv; unknown ones and
// an ISA this CPU lacks are errors naming the flag.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "bitnet/bench/options.h"
#include "bitnet/kernels/cpu.h"

namespace bitnet::bench {
namespace {

struct Argv {
  std::vector<std::string> storage;
  std::vector<char*> ptrs;
  int argc = 0;
  explicit Argv(std::vector<std::string> args) : storage(std::move(args)) {
    storage.insert(storage.begin(), "bitnet_benches");
    for (auto& s : storage) ptrs.push_back(s.data());
    ptrs.push_back(nullptr);
    argc = static_cast<int>(storage.size());
  }
};

Options parse(std::vector<std::string> args, int cpus = 2) {
  Argv a(std::move(args));
  return parse_options(&a.argc, a.ptrs.data(), cpus);
}

std::string error_of(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(BenchOptions, RemovesOurFlagsAndKeepsGoogleBenchmarks) {
  Argv a({"--bitnet_quick", "--benchmark_filter=gemv", "--bitnet_threads=1,2",
          "--benchmark_min_time=0.01"});
  Options o = parse_options(&a.argc, a.ptrs.data(), 2);
  ASSERT_EQ(a.argc, 3);
  EXPECT_STREQ(a.ptrs[1], "--benchmark_filter=gemv");
  EXPECT_STREQ(a.ptrs[2], "--benchmark_min_time=0.01");
  EXPECT_EQ(a.ptrs[3], nullptr);
  EXPECT_EQ(o.mode, Mode::kQuick);
  EXPECT_EQ(o.threads, (std::vector<int>{1, 2}));
}

TEST(BenchOptions, DefaultThreadsAreOneAndAllCpus) {
  EXPECT_EQ(parse({}, 4).threads, (std::vector<int>{1, 4}));
  EXPECT_EQ(parse({}, 1).threads, (std::vector<int>{1}));
  EXPECT_EQ(parse({"--bitnet_threads=3"}, 8).threads, (std::vector<int>{3}));
}

TEST(BenchOptions, ModelsAreRepeatable) {
  auto o = parse({"--bitnet_model=a.gguf", "--bitnet_model=synthetic:tiny:i2_s"});
  EXPECT_EQ(o.models, (std::vector<std::string>{"a.gguf", "synthetic:tiny:i2_s"}));
}

TEST(BenchOptions, ModelShapesAreRealModelShapes) {
  EXPECT_EQ(parse({"--bitnet_models=8b,falcon3-1b,8b"}).model_shapes,
            (std::vector<std::string>{"8b", "falcon3-1b"}));
  EXPECT_EQ(parse({"--bitnet_models=all"}).model_shapes,
            (std::vector<std::string>{"bitnet-0.7b", "falcon3-1b", "2b4t", "3b", "falcon3-3b",
                                      "falcon3-7b", "8b", "falcon3-10b"}));
  EXPECT_TRUE(parse({}).model_shapes.empty());
  EXPECT_NE(error_of({"--bitnet_models=tiny"}).find("unknown model shape 'tiny' (known: "),
            std::string::npos);
  EXPECT_NE(error_of({"--bitnet_models=8b,"}).find("unknown model shape ''"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_models"}).find("needs a value"), std::string::npos);
}

TEST(BenchOptions, Errors) {
  EXPECT_NE(error_of({"--bitnet_qiuck"}).find("unknown flag --bitnet_qiuck"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_threads=0"}).find("--bitnet_threads=0"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_threads=two"}).find("not a thread count"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_threads"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_quick=1"}).find("takes no value"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_quick", "--bitnet_full"}).find("exclude"), std::string::npos);
  EXPECT_NE(error_of({"--bitnet_isa=neon"}).find("unknown ISA"), std::string::npos);
}

TEST(BenchOptions, ForcingAnIsaTheCpuLacksIsAClearError) {
  bool tested = false;
  for (Isa isa : {Isa::kAvx512Vnni, Isa::kAvx512, Isa::kAvx2}) {
    if (cpu_has(isa)) continue;
    const std::string name(isa_name(isa));
    EXPECT_NE(error_of({"--bitnet_isa=" + name}).find("CPU lacks " + name), std::string::npos);
    tested = true;
  }
  if (!tested) GTEST_SKIP() << "this CPU has every ISA we build for";
}

TEST(BenchOptions, SeedFromEnvironment) {
  setenv("BITNET_SEED", "1234", 1);
  EXPECT_EQ(parse({}).seed, 1234u);
  unsetenv("BITNET_SEED");
  setenv("BITNET_DETERMINISTIC", "1", 1);
  Options o = parse({});
  EXPECT_TRUE(o.deterministic);
  EXPECT_EQ(o.seed, 1u);
  setenv("BITNET_DETERMINISTIC", "maybe", 1);
  EXPECT_NE(error_of({}).find("BITNET_DETERMINISTIC"), std::string::npos);
  unsetenv("BITNET_DETERMINISTIC");
  setenv("BITNET_SEED", "-3", 1);
  EXPECT_NE(error_of({}).find("BITNET_SEED"), std::string::npos);
  unsetenv("BITNET_SEED");
}

}  // namespace
}  // namespace bitnet::bench
