// bitnet-quantize end to end: an F32 model rebuilt from the golden I2_S file (same tensor and
// key order as the F32 file the origins quantized; the ternary weights and the f16-exact
// embedding dequantize losslessly) must quantize to files byte-identical to llama-quantize's
// TQ2_0 / TQ1_0 output (with its default Q6_K token_embd, or F16 when asked), and to bitnet.cpp's
// I2_S output except the stale bytes after each I2_S scale. Plus the embedding type rules.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "bitnet/formats/quantize.h"
#include "bitnet/gguf/gguf.h"
#include "bitnet/kernels/driver.h"
#include "quantize_test_util.h"

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
  return ::testing::TempDir() + "/bitnet-quantize-test-" + std::to_string(getpid()) + "-";
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
// untied: also an output.weight (a copy of token_embd), as in models without tied embeddings.
std::string write_f32_model(
    const std::function<float(const std::string&, int64_t, float)>& edit = nullptr,
    bool untied = false) {
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
  if (untied) w.add_tensor("output.weight", 0, src.tensor("token_embd.weight").ne);
  w.begin_data();
  std::vector<const gguf::TensorInfo*> order;
  for (const auto& t : src.tensors()) order.push_back(&t);
  if (untied) order.push_back(&src.tensor("token_embd.weight"));
  for (const auto* tp : order) {
    const auto& t = *tp;
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

// No --embd: llama-quantize's default for a tied token_embd with TQ2_0 is Q6_K
// (llama_tensor_get_type, c392e5094), and the whole file matches its output.
TEST(QuantizeTool, DefaultTQ2_0FileIsByteIdenticalToLlamaQuantizeDefault) {
  const std::string f32 = write_f32_model();
  const std::string out = tmp_prefix() + "out-default.gguf";
  g_temp.paths.push_back(out);
  ASSERT_EQ(run(f32 + " " + out + " TQ2_0"), 0);
  EXPECT_EQ(gguf::File::open(out).tensor("token_embd.weight").type,
            static_cast<uint32_t>(TypeId::kQ6_K));
  const auto got = slurp(out);
  const auto want = slurp(kDir + "/tiny-bitnet-A-TQ2_0-default.gguf");
  ASSERT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want) << "file differs from llama-quantize's default TQ2_0 output";
}

// Defaults per format (TQ1_0 like TQ2_0; I2_S: bitnet.cpp 406a503 writes F16), and --embd TYPE.
TEST(QuantizeTool, EmbeddingTypeDefaultsAndChoices) {
  const std::string f32 = write_f32_model();
  const auto src = gguf::File::open(f32);
  const auto& te = src.tensor("token_embd.weight");
  const auto* x = reinterpret_cast<const float*>(src.data(te).data());
  struct Case {
    std::string args;
    TypeId want;
  };
  for (const Case& c :
       {Case{"TQ1_0", TypeId::kQ6_K}, Case{"I2_S", TypeId::kF16},
        Case{"TQ2_0 --embd Q8_0", TypeId::kQ8_0}, Case{"TQ2_0 --embd q6_k", TypeId::kQ6_K},
        Case{"I2_S --token-embedding-type q6_K", TypeId::kQ6_K},
        Case{"TQ2_0 --embd bf16", TypeId::kBF16}, Case{"TQ2_0 --embd keep", TypeId::kF32},
        // llama.cpp: a tied token_embd takes --output-tensor-type too ...
        Case{"TQ2_0 --output-tensor-type Q8_0", TypeId::kQ8_0},
        // ... unless --token-embedding-type is given.
        Case{"TQ2_0 --output Q8_0 --embd F16", TypeId::kF16}}) {
    SCOPED_TRACE(c.args);
    const std::string out = tmp_prefix() + "out-choice.gguf";
    g_temp.paths.push_back(out);
    std::string err;
    ASSERT_EQ(run(f32 + " " + out + " " + c.args, &err), 0) << err;
    const auto f = gguf::File::open(out);
    const auto& t = f.tensor("token_embd.weight");
    ASSERT_EQ(t.type, static_cast<uint32_t>(c.want));
    if (c.want == TypeId::kQ8_0 || c.want == TypeId::kQ6_K) {  // our (golden-tested) quantizer
      std::vector<uint8_t> q(quantized_bytes(c.want, te.nelements()));
      quantize(c.want, x, q.data(), te.nelements());
      const auto d = f.data(t);
      EXPECT_TRUE(std::equal(q.begin(), q.end(), d.begin(), d.end()));
    }
  }
}

// An untied model: output.weight gets llama.cpp's output type (Q6_K); token_embd would be Q4_K
// there, which we cannot write, so it is kept (with a note) unless --embd says otherwise.
TEST(QuantizeTool, UntiedOutputTensor) {
  const std::string f32 = write_f32_model(nullptr, /*untied=*/true);
  const std::string out = tmp_prefix() + "out-untied.gguf";
  g_temp.paths.push_back(out);
  std::string err;
  ASSERT_EQ(run(f32 + " " + out + " TQ2_0", &err), 0) << err;
  EXPECT_NE(err.find("would write the untied token_embd.weight as Q4_K"), std::string::npos) << err;
  auto f = gguf::File::open(out);
  EXPECT_EQ(f.tensor("output.weight").type, static_cast<uint32_t>(TypeId::kQ6_K));
  EXPECT_EQ(f.tensor("token_embd.weight").type, static_cast<uint32_t>(TypeId::kF32));
  ASSERT_EQ(run(f32 + " " + out + " TQ2_0 --embd f16 --output q8_0", &err), 0) << err;
  f = gguf::File::open(out);
  EXPECT_EQ(f.tensor("output.weight").type, static_cast<uint32_t>(TypeId::kQ8_0));
  EXPECT_EQ(f.tensor("token_embd.weight").type, static_cast<uint32_t>(TypeId::kF16));
  ASSERT_EQ(run(f32 + " " + out + " I2_S", &err), 0) << err;  // bitnet.cpp: F16 for both
  f = gguf::File::open(out);
  EXPECT_EQ(f.tensor("output.weight").type, static_cast<uint32_t>(TypeId::kF16));
  EXPECT_EQ(f.tensor("token_embd.weight").type, static_cast<uint32_t>(TypeId::kF16));
}

TEST(QuantizeTool, NonFiniteEmbeddingIsAnErrorNamingTensorAndElement) {
  const std::string f32 = write_f32_model([](const std::string& name, int64_t i, float v) {
    return name == "token_embd.weight" && i == 1000 ? std::numeric_limits<float>::quiet_NaN() : v;
  });
  const std::string out = tmp_prefix() + "out-nan.gguf";
  std::string err;
  EXPECT_EQ(run(f32 + " " + out + " TQ2_0", &err), 3);  // bad input (docs/cli.md)
  EXPECT_NE(err.find("tensor token_embd.weight: quantize_q6_K: element 1000 is nan"),
            std::string::npos)
      << err;
  EXPECT_NE(access(out.c_str(), F_OK), 0) << "no output file after an error";
}

TEST(QuantizeTool, I2_SFileMatchesBitnetCppExceptStaleTrailerBytes) {
  const std::string f32 = write_f32_model();
  const std::string out = tmp_prefix() + "out-I2_S.gguf";
  g_temp.paths.push_back(out);
  ASSERT_EQ(run(f32 + " " + out + " I2_S"), 0);  // default token_embd: F16, as bitnet.cpp
  auto got = slurp(out);
  auto want = slurp(kDir + "/tiny-bitnet-A-I2_S.gguf");
  ASSERT_EQ(got.size(), want.size());
  const int blanked = bitnet::testing::blank_i2s_stale_bytes(out, got, want);
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
  EXPECT_EQ(file.tensor("token_embd.weight").type, 14u);  // no --embd: Q6_K, as llama-quantize
}

TEST(QuantizeTool, BadArgumentsAreUsageErrors) {
  std::string err;
  EXPECT_EQ(run("in.gguf out.gguf Q4_0", &err), 2);
  EXPECT_NE(err.find("expected TQ2_0, TQ1_0 or I2_S"), std::string::npos) << err;
  EXPECT_EQ(run("in.gguf out.gguf TQ2_0 --embd Q4_K", &err), 2);
  EXPECT_NE(err.find("--embd 'Q4_K': expected F32, F16, BF16, Q8_0, Q6_K or keep"),
            std::string::npos)
      << err;
  EXPECT_EQ(run("in.gguf out.gguf TQ2_0 --output", &err), 2);
  EXPECT_NE(err.find("--output needs a type"), std::string::npos) << err;
  EXPECT_EQ(run("in.gguf", &err), 2);
  EXPECT_EQ(
      run(::testing::TempDir() + "/missing.gguf " + ::testing::TempDir() + "/x.gguf TQ2_0", &err),
      3);
  EXPECT_NE(err.find("missing.gguf"), std::string::npos) << err;
}

}  // namespace
}  // namespace bitnet
