// The peer-kernel loader against fake peer libraries built by the tests (same file names and
// symbols as llama.cpp's / bitnet.cpp's, known answers; one with a wrong dot, one with a wrong
// packing, one missing a symbol, one whose traits layout disagrees with its accessors), and
// against the real peers when LLAMA_CPP_DIR / BITNET_CPP_DIR name their builds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/peers/peer_kernels.h"
#include "bitnet/peers/peer_verify.h"

namespace bitnet::peers {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string fake(const char* variant) {
  return std::string(BITNET_FAKE_PEERS_DIR) + "/" + variant;
}

std::unique_ptr<Peer> load_fake(PeerKind kind, const char* variant) {
  return Peer::load({kind, fake(variant), "test"});
}

std::vector<float> seeded(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (float& x : v) {
    seed = seed * 1664525u + 1013904223u;
    x = static_cast<float>(seed >> 8) * (2.0f / 16777216.0f) - 1.0f;
  }
  return v;
}

// The peer's y for M x K weights and N columns against our scalar reference on the same
// (peer-quantized) inputs; returns compare_matmul's verdict.
std::string peer_vs_reference(const PeerFormat& f, int64_t M, int64_t K, int64_t N) {
  const std::vector<float> wf = seeded(static_cast<size_t>(M * K), 7);
  std::vector<uint8_t> w(f.tensor_bytes(M, K));
  f.pack(wf.data(), M, K, w.data());
  const size_t row = f.wtype() == TypeId::kI2_S ? static_cast<size_t>(K / 4) : w.size() / M;
  const std::vector<float> xf = seeded(static_cast<size_t>(K * N), 11);
  ActBuffer acts;
  acts.resize(f.atype(), K, N);
  for (int64_t n = 0; n < N; ++n)
    f.quantize_act(xf.data() + n * K, K, acts.col(n), &acts.scales()[n], &acts.sums()[n]);
  MatmulArgs a;
  a.wtype = f.wtype();
  a.w = w.data();
  a.w_row_bytes = row;
  a.w_scale = 1.0f;
  if (f.wtype() == TypeId::kI2_S) std::memcpy(&a.w_scale, w.data() + M * K / 4, sizeof(float));
  a.M = M;
  a.K = K;
  a.x = acts.view();
  a.y_col_stride = M;
  std::vector<float> got(static_cast<size_t>(M * N)), want(got.size());
  a.y = got.data();
  f.matmul_rows(a, 0, M);
  a.y = want.data();
  reference_kernel(Op::kMatmul, f.wtype()).matmul(a, 0, M);
  std::vector<int64_t> rows, cols;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t m = 0; m < M; ++m) rows.push_back(m), cols.push_back(n);
  return compare_matmul(f, a, got, want, rows, cols);
}

TEST(PeerSpec, ParsesBothPeersAndRejectsOtherForms) {
  PeerSpec s = parse_peer_spec("llama.cpp:/opt/llama/bin");
  EXPECT_EQ(s.kind, PeerKind::kLlamaCpp);
  EXPECT_EQ(s.dir, "/opt/llama/bin");
  s = parse_peer_spec("bitnet.cpp:rel/dir:with:colons");
  EXPECT_EQ(s.kind, PeerKind::kBitnetCpp);
  EXPECT_EQ(s.dir, "rel/dir:with:colons");
  for (const char* bad : {"llama.cpp", "llama.cpp:", "ggml:/x", ":/x", ""}) {
    try {
      parse_peer_spec(bad);
      ADD_FAILURE() << bad;
    } catch (const PeerError& e) {
      EXPECT_THAT(e.what(), HasSubstr("expected llama.cpp:DIR or bitnet.cpp:DIR")) << bad;
    }
  }
}

TEST(PeerSpec, EnvironmentNamesBothPeers) {
  const char* old_l = std::getenv("LLAMA_CPP_DIR");
  const char* old_b = std::getenv("BITNET_CPP_DIR");
  const std::string keep_l = old_l ? old_l : "", keep_b = old_b ? old_b : "";
  setenv("LLAMA_CPP_DIR", "/l", 1);
  setenv("BITNET_CPP_DIR", "", 1);  // empty = unset
  auto specs = peer_specs_from_environment();
  ASSERT_EQ(specs.size(), 1u);
  EXPECT_EQ(specs[0].kind, PeerKind::kLlamaCpp);
  EXPECT_EQ(specs[0].origin, "LLAMA_CPP_DIR");
  setenv("BITNET_CPP_DIR", "/b", 1);
  specs = peer_specs_from_environment();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[1].kind, PeerKind::kBitnetCpp);
  EXPECT_EQ(specs[1].dir, "/b");
  old_l ? setenv("LLAMA_CPP_DIR", keep_l.c_str(), 1) : unsetenv("LLAMA_CPP_DIR");
  old_b ? setenv("BITNET_CPP_DIR", keep_b.c_str(), 1) : unsetenv("BITNET_CPP_DIR");
}

TEST(PeerLoad, MissingLibrariesListEveryPlaceLooked) {
  try {
    Peer::load({PeerKind::kLlamaCpp, "/nonexistent/llama", "LLAMA_CPP_DIR"});
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_THAT(e.what(), HasSubstr("libggml-base.so and libggml-cpu.so not found"));
    EXPECT_THAT(e.what(), HasSubstr("/nonexistent/llama/build/bin"));
    EXPECT_THAT(e.what(), HasSubstr("LLAMA_CPP_DIR=/nonexistent/llama"));
  }
}

// The message is ours, not dlerror()'s: the same in a sanitizer build (where the bitnet.cpp peer
// is refused RTLD_DEEPBIND before dlopen is reached) as in a release build.
std::string load_error_for(const fs::path& dir, PeerKind kind) {
  try {
    Peer::load({kind, dir.string(), "test"});
  } catch (const PeerError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(PeerLoad, FileThatIsNotALibraryNamesTheFile) {
  const fs::path dir = fs::temp_directory_path() / ("peer_notlib_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string lib = (dir / "libggml.so").string();
  std::ofstream(lib) << "not an ELF file\n";
  EXPECT_THAT(load_error_for(dir, PeerKind::kBitnetCpp),
              HasSubstr(lib + ": cannot be loaded: not a loadable library (no ELF header)"));
  // An ELF file that is no shared object: this test executable's own header with e_type changed.
  {
    std::ifstream self("/proc/self/exe", std::ios::binary);
    std::string head(4096, '\0');
    self.read(head.data(), static_cast<std::streamsize>(head.size()));
    head[16] = 2, head[17] = 0;  // e_type = ET_EXEC (little-endian)
    std::ofstream(lib, std::ios::binary | std::ios::trunc) << head;
  }
  EXPECT_THAT(load_error_for(dir, PeerKind::kBitnetCpp),
              HasSubstr(lib + ": cannot be loaded: not a loadable library (ELF, but not a shared"));
  // A 32-bit ELF header.
  {
    std::string head(64, '\0');
    head.replace(0, 4,
                 "\x7f"
                 "ELF");
    head[4] = 1;  // ELFCLASS32
    std::ofstream(lib, std::ios::binary | std::ios::trunc) << head;
  }
  EXPECT_THAT(load_error_for(dir, PeerKind::kBitnetCpp),
              HasSubstr(lib + ": cannot be loaded: not a loadable library (not a 64-bit ELF"));
  fs::remove_all(dir);
}

TEST(PeerLoad, MissingSymbolNamesLibrarySymbolAndSignature) {
  if (!deep_bind_supported()) GTEST_SKIP() << "no RTLD_DEEPBIND in sanitizer builds";
  try {
    load_fake(PeerKind::kBitnetCpp, "bitnet_no_dot");
    FAIL();
  } catch (const PeerError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("bitnet_no_dot/libggml.so: symbol ggml_vec_dot_i2_i8_s not found"));
    EXPECT_THAT(e.what(), HasSubstr("expected: void (int n, float * s"));
  }
}

TEST(PeerFake, LlamaGoodPassesEveryCheck) {
  auto p = load_fake(PeerKind::kLlamaCpp, "llama_good");
  EXPECT_EQ(p->name(), "llama.cpp");
  ASSERT_EQ(p->library_paths().size(), 2u);
  EXPECT_THAT(p->library_paths()[0], HasSubstr("llama_good/libggml-base.so"));
  EXPECT_TRUE(p->version.empty());  // no llama-cli beside the fakes
  for (TypeId w : {TypeId::kTQ2_0, TypeId::kTQ1_0}) {
    const PeerFormat* f = p->format(w);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->error(), "");
    EXPECT_EQ(check_format(*f, 42), "");
    EXPECT_EQ(peer_vs_reference(*f, 35, 512, 3), "");
  }
  EXPECT_EQ(p->format(TypeId::kI2_S), nullptr);
}

TEST(PeerFake, WrongDotIsCaught) {
  auto p = load_fake(PeerKind::kLlamaCpp, "llama_wrong_dot");
  const PeerFormat* f = p->format(TypeId::kTQ2_0);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(check_packing(*f, 1), "");
  EXPECT_THAT(check_integer_dot(*f, 1), HasSubstr("integer dot of TQ2_0"));
  EXPECT_THAT(check_format(*f, 1), HasSubstr("vec_dot gave"));
  // Off by one is far outside the float tolerance too.
  EXPECT_THAT(peer_vs_reference(*f, 8, 256, 1), HasSubstr("our scalar reference"));
  EXPECT_EQ(check_format(*p->format(TypeId::kTQ1_0), 1), "");  // the other format is fine
}

TEST(PeerFake, TraitsLayoutMismatchMakesTheFormatAnErrorNotACrash) {
  auto p = load_fake(PeerKind::kLlamaCpp, "llama_bad_layout");
  const PeerFormat* f = p->format(TypeId::kTQ2_0);
  ASSERT_NE(f, nullptr);
  EXPECT_THAT(f->error(), HasSubstr("does not have the layout we declared"));
  EXPECT_THAT(f->error(), HasSubstr("llama_bad_layout/libggml-base.so"));
  EXPECT_EQ(check_format(*f, 1), f->error());
  std::vector<float> w(256);
  std::vector<uint8_t> out(66);
  EXPECT_THROW(f->pack(w.data(), 1, 256, out.data()), PeerError);
  EXPECT_EQ(p->format(TypeId::kTQ1_0)->error(), "");
}

TEST(PeerFake, BitnetGoodMatchesReferenceBitForBit) {
  if (!deep_bind_supported()) GTEST_SKIP() << "no RTLD_DEEPBIND in sanitizer builds";
  auto p = load_fake(PeerKind::kBitnetCpp, "bitnet_good");
  const PeerFormat* f = p->format(TypeId::kI2_S);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->atype(), TypeId::kI8);
  EXPECT_EQ(check_format(*f, 9), "");
  EXPECT_EQ(peer_vs_reference(*f, 19, 384, 2), "");
  EXPECT_EQ(peer_vs_reference(*f, 40, 128, 17), "");  // more than one 16-column block
}

TEST(PeerFake, BitnetWrongPackingIsCaughtByTheDecode) {
  if (!deep_bind_supported()) GTEST_SKIP() << "no RTLD_DEEPBIND in sanitizer builds";
  auto p = load_fake(PeerKind::kBitnetCpp, "bitnet_wrong_pack");
  const std::string e = check_format(*p->format(TypeId::kI2_S), 3);
  EXPECT_THAT(e, HasSubstr("packing of I2_S"));
  EXPECT_THAT(e, HasSubstr("expected trit"));
}

// The real peers, when the environment names them (the CI machine has them; most do not).
TEST(RealPeer, LlamaCppTqKernels) {
  const char* dir = std::getenv("LLAMA_CPP_DIR");
  if (dir == nullptr || *dir == '\0') GTEST_SKIP() << "LLAMA_CPP_DIR not set";
  auto p = Peer::load({PeerKind::kLlamaCpp, dir, "LLAMA_CPP_DIR"});
  std::printf("llama.cpp: %s %s\n", p->library_paths()[1].c_str(), p->version.c_str());
  for (TypeId w : {TypeId::kTQ2_0, TypeId::kTQ1_0}) {
    const PeerFormat* f = p->format(w);
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(f->error(), "");
    EXPECT_EQ(check_format(*f, 5), "");
    EXPECT_EQ(peer_vs_reference(*f, 96, 2560, 1), "");
    EXPECT_EQ(peer_vs_reference(*f, 33, 6912, 20), "");
    // Its packing is byte-exact with ours.
    const std::vector<float> x = seeded(4 * 2560, 3);
    std::vector<uint8_t> theirs(f->tensor_bytes(4, 2560)), ours(quantized_bytes(w, 4 * 2560));
    f->pack(x.data(), 4, 2560, theirs.data());
    quantize(w, x.data(), ours.data(), 4 * 2560);
    EXPECT_EQ(theirs, ours);
  }
}

TEST(RealPeer, BitnetCppI2sKernels) {
  if (!deep_bind_supported()) GTEST_SKIP() << "no RTLD_DEEPBIND in sanitizer builds";
  const char* dir = std::getenv("BITNET_CPP_DIR");
  if (dir == nullptr || *dir == '\0') GTEST_SKIP() << "BITNET_CPP_DIR not set";
  auto p = Peer::load({PeerKind::kBitnetCpp, dir, "BITNET_CPP_DIR"});
  std::printf("bitnet.cpp: %s %s\n", p->library_paths()[0].c_str(), p->version.c_str());
  const PeerFormat* f = p->format(TypeId::kI2_S);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(check_format(*f, 5), "");
  EXPECT_EQ(peer_vs_reference(*f, 96, 2560, 1), "");
  EXPECT_EQ(peer_vs_reference(*f, 33, 6912, 20), "");
  const std::vector<float> x = seeded(4 * 2560, 3);
  std::vector<uint8_t> theirs(f->tensor_bytes(4, 2560)),
      ours(quantized_bytes(TypeId::kI2_S, 4 * 2560));
  f->pack(x.data(), 4, 2560, theirs.data());
  quantize(TypeId::kI2_S, x.data(), ours.data(), 4 * 2560);
  EXPECT_EQ(theirs, ours);
}

}  // namespace
}  // namespace bitnet::peers
