// bitnet-quantize end to end: an F32 model rebuilt from the golden I2_S file (same tensor and
// key order as the F32 file the origins quantized; the ternary weights dequantize losslessly)
// must quantize to files byte-identical to llama-quantize's TQ2_0 / TQ1_0 output, and to
// bitnet.cpp's I2_S output except the stale bytes after each I2_S scale.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "bitnet/gguf.h"
#include "bitnet/ops.h"

namespace bitnet {
namespace {

const std::string kDir = BITNET_TEST_DATA_DIR;

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// A per-process prefix in the temp dir (tests run in parallel processes, maybe several checkouts).
// Removes the temp files this process wrote when it exits.
struct TempFiles {
  std::vector<std::string> paths;
  ~TempFiles() {
    for (const auto& p : paths) std::remove(p.c_str());
  }
};
TempFiles g_temp;

std::string tmp_prefix() {
  return ::testing::TempDir() + "/kcore-" + std::to_string(getpid()) + "-";
}

int run(const std::string& args, std::string* err = nullptr) {
  const std::string log =
      tmp_prefix() + ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".stderr";
  g_temp.paths.push_back(log);
  const int rc = std::system((std::string(BITNET_QUANTIZE_EXE) + " " + args + " 2>" + log).c_str());
  if (err) {
    const auto bytes = slurp(log);
    err->assign(bytes.begin(), bytes.end());
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Writes the F32 model: the I2_S file's keys without quantization_version and with
// file_type 0 in place (as llama.cpp's converter wrote it), every tensor dequantized to F32.
std::string write_f32_model(
    const std::function<float(const std::string&, int64_t, float)>& edit = nullptr) {
  const auto src = gguf::File::open(kDir + "/tiny-bitnet-A-I2_S.gguf");
  // One file per test: ctest runs this executable's tests in parallel processes.
  const std::string path = tmp_prefix() +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                           "-F32-rebuilt.gguf";
  g_temp.paths.push_back(path);
  gguf::Writer w(path);
  for (const auto& kv : src.metadata()) {
    if (kv.key == "general.quantization_version") continue;
    if (kv.key == "general.file_type") {
      w.set_u32(kv.key, 0);
    } else {
      w.set(kv.key, kv.value);
    }
  }
  for (const auto& t : src.tensors()) w.add_tensor(t.name, 0, t.ne);
  w.begin_data();
  for (const auto& t : src.tensors()) {
    const int64_t n = t.nelements();
    std::vector<float> x(static_cast<size_t>(n));
    const auto bytes = src.data(t);
    const auto type = static_cast<TypeId>(t.type);
    dequantize_row(type, bytes.data(), x.data(), n,
                   type == TypeId::kI2_S ? i2s_tensor_scale(bytes.data(), n) : 1.0f);
    if (edit)
      for (int64_t i = 0; i < n; ++i) x[i] = edit(t.name, i, x[i]);
    w.write({reinterpret_cast<const uint8_t*>(x.data()), x.size() * 4});
  }
  w.finish();
  return path;
}

TEST(QuantizeTool, TQ2_0AndTQ1_0FilesAreByteIdenticalToLlamaQuantize) {
  const std::string f32 = write_f32_model();
  for (const char* fmt : {"TQ2_0", "TQ1_0"}) {
    const std::string out = tmp_prefix() + "out-" + fmt + ".gguf";
    g_temp.paths.push_back(out);
    ASSERT_EQ(run(f32 + " " + out + " " + fmt + " --embd F16"), 0) << fmt;
    const auto got = slurp(out);
    const auto want = slurp(kDir + "/tiny-bitnet-A-" + fmt + ".gguf");
    ASSERT_EQ(got.size(), want.size()) << fmt;
    EXPECT_TRUE(got == want) << fmt << ": file differs from llama-quantize's";
  }
}

TEST(QuantizeTool, I2_SFileMatchesBitnetCppExceptStaleTrailerBytes) {
  const std::string f32 = write_f32_model();
  const std::string out = tmp_prefix() + "out-I2_S.gguf";
  g_temp.paths.push_back(out);
  ASSERT_EQ(run(f32 + " " + out + " I2_S --embd F16"), 0);
  auto got = slurp(out);
  auto want = slurp(kDir + "/tiny-bitnet-A-I2_S.gguf");
  ASSERT_EQ(got.size(), want.size());
  // Blank bytes n/4+4 .. n/4+31 of every I2_S tensor in both (stale in bitnet.cpp's file).
  const auto file = gguf::File::open(out);
  int blanked = 0;
  for (const auto& t : file.tensors()) {
    if (t.type != static_cast<uint32_t>(TypeId::kI2_S)) continue;
    const size_t at = file.data_offset() + t.offset + static_cast<size_t>(t.nelements() / 4) + 4;
    std::fill(got.begin() + at, got.begin() + at + 28, 0);
    std::fill(want.begin() + at, want.begin() + at + 28, 0);
    ++blanked;
  }
  EXPECT_EQ(blanked, 14);
  EXPECT_TRUE(got == want) << "file differs from bitnet.cpp's llama-quantize output";
}

TEST(QuantizeTool, WarnsWithTheMeasuredErrorWhenWeightsAreNotTernary) {
  const std::string f32 = write_f32_model([](const std::string& name, int64_t i, float v) {
    return name == "blk.1.ffn_up.weight" ? v + 0.001f * static_cast<float>(i % 7) : v;
  });
  const std::string out = tmp_prefix() + "out-noisy.gguf";
  g_temp.paths.push_back(out);
  std::string err;
  ASSERT_EQ(run(f32 + " " + out + " TQ2_0", &err), 0) << err;
  EXPECT_NE(err.find("blk.1.ffn_up.weight is not ternary"), std::string::npos) << err;
  EXPECT_NE(err.find("relative RMS error"), std::string::npos) << err;
  EXPECT_EQ(err.find("blk.0.attn_q.weight"), std::string::npos) << err;
  const auto file = gguf::File::open(out);
  EXPECT_EQ(file.get<uint32_t>("general.file_type"), 37u);
  EXPECT_EQ(file.get<uint32_t>("general.quantization_version"), 2u);
  EXPECT_EQ(file.tensor("token_embd.weight").type, 0u);  // no --embd: kept as it was (F32)
}

TEST(QuantizeTool, BadArgumentsAreUsageErrors) {
  std::string err;
  EXPECT_EQ(run("in.gguf out.gguf Q4_0", &err), 2);
  EXPECT_NE(err.find("expected TQ2_0, TQ1_0 or I2_S"), std::string::npos) << err;
  EXPECT_EQ(run("in.gguf out.gguf TQ2_0 --embd Q8_0", &err), 2);
  EXPECT_EQ(run("in.gguf", &err), 2);
  EXPECT_EQ(
      run(::testing::TempDir() + "/missing.gguf " + ::testing::TempDir() + "/x.gguf TQ2_0", &err),
      1);
  EXPECT_NE(err.find("missing.gguf"), std::string::npos) << err;
}

}  // namespace
}  // namespace bitnet
