// bitnet-quantize on the golden models E and G against the origins' own outputs:
// - E (arch bitnet, n_embd 320, n_ff 864): no row is a multiple of 256, so llama-quantize's
//   "TQ2_0" / "TQ1_0" files hold Q4_0 projections (its fallback) — ours must be byte-identical;
//   I2_S must be refused (rows of 320 are not a multiple of 128).
// - G (arch llama, ternary, no sub-norms): TQ2_0 / TQ1_0 byte-identical to llama-quantize, I2_S
//   to bitnet.cpp except the stale bytes after each I2_S scale.
// Inputs: the F32 files the origins quantized (gzip'd in tests/data). E's TQ1_0 output is not
// stored (it is E-TQ2_0 but for general.file_type): compared by size and SHA-256.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bitnet/gguf/gguf.h"
#include "bitnet/kernels/driver.h"
#include "fixture_test_util.h"
#include "quantize_test_util.h"

namespace bitnet {
namespace {

using bitnet::testing::read_file;
using bitnet::testing::sha256_of;

const std::string kDir = BITNET_TEST_DATA_DIR;

// llama-quantize's outputs not stored here (tests/data/README.md).
struct Golden {
  uint64_t size;
  const char* sha256;
};
constexpr Golden kETQ2_0{1566656,
                         "b92fd3c021a6a077ff9e389f05be887c949f8706ce82eb7c692793e14ad48ee5"};
constexpr Golden kETQ1_0{1566656,
                         "240956a6be6d633d5a4d5d54ba7aab68ea8525d3b8f949635d8dffbee07c9136"};
constexpr Golden kGTQ1_0{529344,
                         "a4fcedf1947528aabdb652c152357b8077c5803ca866881e394c56bf70af0b29"};

std::string tmp(const std::string& what) {
  const std::string p =
      ::testing::TempDir() + "/bitnet-quantize-fallback-" + std::to_string(getpid()) + "-" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + "-" + what;
  return p;
}

struct ToolRun {
  int rc;
  std::string err, out;
};

ToolRun quantize_tool(const std::string& args) {
  const std::string e = tmp("stderr"), o = tmp("stdout");
  const int rc =
      std::system((std::string(BITNET_QUANTIZE_EXE) + " " + args + " >" + o + " 2>" + e).c_str());
  ToolRun r{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, read_file(e), read_file(o)};
  std::remove(e.c_str());
  std::remove(o.c_str());
  return r;
}

// Decompresses tests/data/<name>.gz into a temp file (gzip is part of every Debian system).
std::string unpack(const std::string& name) {
  const std::string path = tmp(name);
  const std::string cmd = "gzip -dc '" + kDir + "/" + name + ".gz' > '" + path + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return path;
}

// llama-quantize --token-embedding-type f16 E-F32 E-TQ2_0 TQ2_0: every projection falls back to
// Q4_0 (rows of 320 and 864), token_embd F16, general.file_type 37 all the same.
TEST(QuantizeFallback, ModelEIsByteIdenticalToLlamaQuantizeWithQ4_0Projections) {
  const std::string f32 = unpack("tiny-bitnet-E-F32.gguf");
  const std::string out = tmp("out.gguf");
  for (const char* fmt : {"TQ2_0", "TQ1_0"}) {
    SCOPED_TRACE(fmt);
    const ToolRun r = quantize_tool(f32 + " " + out + " " + fmt + " --embd F16");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_NE(r.err.find("blk.0.ffn_down.weight: row length 864 is not a multiple of the " +
                         std::string(fmt) + " block (256); using fallback quantization Q4_0"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("14 of 14 weight tensors required fallback quantization"),
              std::string::npos)
        << r.out;
    const std::string got = read_file(out);
    if (std::string(fmt) == "TQ2_0") {
      const std::string want = read_file(kDir + "/tiny-bitnet-E-TQ2_0.gguf");
      ASSERT_EQ(got.size(), want.size());
      EXPECT_TRUE(got == want) << "differs from llama-quantize's E TQ2_0 file";
    } else {
      EXPECT_EQ(got.size(), kETQ1_0.size);
      EXPECT_EQ(sha256_of(got), kETQ1_0.sha256) << "differs from llama-quantize's E TQ1_0 file";
    }
    const auto f = gguf::File::open(out);
    EXPECT_EQ(f.tensor("blk.1.attn_q.weight").type, static_cast<uint32_t>(TypeId::kQ4_0));
  }
  // No --embd: the tied token_embd is the output, Q8_0 for rows of 320 (not a multiple of 256).
  const ToolRun r = quantize_tool(f32 + " " + out + " TQ2_0");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(gguf::File::open(out).tensor("token_embd.weight").type,
            static_cast<uint32_t>(TypeId::kQ8_0));
  std::remove(out.c_str());
  std::remove(f32.c_str());
}

// bitnet.cpp's quantizer packs rows of 320 as I2_S without complaint, but its kernels then
// compute garbage (cosine ~0 against F32): refused, naming tensor and row length.
TEST(QuantizeFallback, ModelEIsRefusedAsI2_S) {
  const std::string f32 = unpack("tiny-bitnet-E-F32.gguf");
  const std::string out = tmp("out.gguf");
  const ToolRun r = quantize_tool(f32 + " " + out + " I2_S");
  EXPECT_EQ(r.rc, 3);  // a tensor the format cannot hold is bad input (docs/cli.md)
  EXPECT_NE(r.err.find("tensor blk.0.attn_q.weight: row length 320 is not a multiple of 128: "
                       "I2_S cannot hold it"),
            std::string::npos)
      << r.err;
  EXPECT_NE(access(out.c_str(), F_OK), 0) << "no output file after an error";
  std::remove(f32.c_str());
}

TEST(QuantizeFallback, ModelGIsByteIdenticalToLlamaQuantize) {
  const std::string f32 = unpack("tiny-llama-G-F32.gguf");
  const std::string out = tmp("out.gguf");
  for (const char* fmt : {"TQ2_0", "TQ1_0"}) {
    SCOPED_TRACE(fmt);
    const ToolRun r = quantize_tool(f32 + " " + out + " " + fmt + " --embd F16");
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out.find("required fallback"), std::string::npos) << r.out;
    const std::string got = read_file(out);
    const std::string want = read_file(kDir + "/tiny-llama-G-" + fmt + ".gguf");
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want) << "differs from llama-quantize's G file";
  }
  std::remove(out.c_str());
  std::remove(f32.c_str());
}

TEST(QuantizeFallback, ModelGI2_SMatchesBitnetCppExceptStaleTrailerBytes) {
  const std::string f32 = unpack("tiny-llama-G-F32.gguf");
  const std::string out = tmp("out.gguf");
  const ToolRun r = quantize_tool(f32 + " " + out + " I2_S --embd F16");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::string got = read_file(out);
  std::string want = read_file(kDir + "/tiny-llama-G-I2_S.gguf");
  ASSERT_EQ(got.size(), want.size());
  const int blanked = bitnet::testing::blank_i2s_stale_bytes(out, got, want);
  EXPECT_EQ(blanked, 14);
  EXPECT_TRUE(got == want) << "differs from bitnet.cpp's G I2_S file";
  std::remove(out.c_str());
  std::remove(f32.c_str());
}

}  // namespace
}  // namespace bitnet
