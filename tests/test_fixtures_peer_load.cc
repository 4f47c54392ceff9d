// The peers load the synthetic models we generate: llama.cpp ($LLAMA_CPP_DIR) the TQ formats of
// arch bitnet and llama, including llama-quantize's Q4_0 fallback; bitnet.cpp ($BITNET_CPP_DIR)
// I2_S of both archs. Each runs llama-cli for 4 tokens and must load every tensor with the type we
// wrote. Skipped, with a message, when the variable is not set. Label: peer.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "bitnet/fixtures/fixtures.h"
#include "bitnet/fixtures/synthetic.h"
#include "fixture_test_util.h"

namespace fx = bitnet::fixtures;

namespace {

struct Case {
  const char* spec;
  const char* type_line;  // llama_model_loader's count of the projections' type
};

void check_peer(const char* env, const std::string& extra, std::initializer_list<Case> cases) {
  const char* dir = std::getenv(env);
  if (!dir || !*dir) GTEST_SKIP() << env << " is not set: no real peer to run";
  bitnet::testing::TempDir tmp;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.spec);
    const std::string model = tmp / "m.gguf", log = tmp / "log.txt";
    fx::GenerateOptions o;
    o.progress = fx::ProgressMode::kNone;
    fx::generate(fx::parse_spec(c.spec).synthetic, model, o);
    const std::string cmd = std::string(dir) + "/llama-cli -m " + model +
                            " -p 'Hello world' -n 4 --temp 0 -t 1 -c 64 " + extra +
                            " </dev/null >" + log + " 2>&1";
    const int rc = std::system(cmd.c_str());
    const std::string out = bitnet::testing::read_file(log);
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd << "\n" << out;
    EXPECT_NE(out.find(c.type_line), std::string::npos) << out;
    EXPECT_NE(out.find("eval time"), std::string::npos) << out;
  }
}

TEST(PeerLoad, LlamaCppLoadsTheTqModelsOfBothArchsAndTheQ4_0Fallback) {
  check_peer("LLAMA_CPP_DIR", "-no-cnv",
             {{"synthetic:tiny:tq1_0@3", "type tq1_0:   14 tensors"},
              {"synthetic:tiny-llama:tq2_0@3", "type tq2_0:   14 tensors"},
              {"synthetic:tiny-fallback:tq2_0@3", "type q4_0:   14 tensors"}});
}

TEST(PeerLoad, BitnetCppLoadsI2_SOfBothArchs) {
  check_peer("BITNET_CPP_DIR", "",
             {{"synthetic:tiny:i2_s@3", "type i2_s:   14 tensors"},
              {"synthetic:tiny-llama:i2_s@3", "type i2_s:   14 tensors"}});
}

}  // namespace
