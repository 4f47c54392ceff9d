// Synthetic generator: determinism, seeds, and the tiny model read back through the GGUF reader.
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <utility>

#include <gtest/gtest.h>

#include "bitnet/engine/engine.h"
#include "bitnet/engine/model.h"
#include "bitnet/fixtures/cache.h"
#include "bitnet/fixtures/fixtures.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/fixtures/synthetic.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/formats/types.h"
#include "bitnet/gguf/gguf.h"
#include "bitnet/kernels/driver.h"
#include "fixture_test_util.h"

namespace fx = bitnet::fixtures;
using bitnet::testing::TempDir;

namespace {

fx::SyntheticSpec tiny(const std::string& format = "tq2_0", uint64_t seed = 1,
                       const std::string& embd = "f16", const std::string& arch = "bitnet") {
  fx::SyntheticSpec s;
  s.shape = "tiny";
  s.format = format;
  s.embd = embd;
  s.arch = arch;
  s.seed = seed;
  return s;
}

class SyntheticTest : public ::testing::Test {
 protected:
  void SetUp() override { bitnet::testing::isolate_env(dir / "cache"); }
  std::string gen(const fx::SyntheticSpec& s, const std::string& name, int threads = 0) {
    fx::GenerateOptions o;
    o.threads = threads;
    o.progress = fx::ProgressMode::kNone;
    fx::generate(s, dir / name, o);
    return dir / name;
  }
  TempDir dir;
};

TEST_F(SyntheticTest, SameSeedIsByteIdenticalWhateverTheThreadCount) {
  const std::string a = gen(tiny(), "a.gguf", 1);
  const std::string b = gen(tiny(), "b.gguf", 2);
  const std::string c = gen(tiny(), "c.gguf", 3);
  const std::string bytes = bitnet::testing::read_file(a);
  EXPECT_EQ(bytes, bitnet::testing::read_file(b));
  EXPECT_EQ(bytes, bitnet::testing::read_file(c));
  EXPECT_LT(bytes.size(), 2u << 20);
}

TEST_F(SyntheticTest, DifferentSeedDiffersInEveryWeightTensor) {
  const auto fa = bitnet::gguf::File::open(gen(tiny("tq2_0", 1), "a.gguf"));
  const auto fb = bitnet::gguf::File::open(gen(tiny("tq2_0", 2), "b.gguf"));
  for (const auto& t : fa.tensors()) {
    const auto da = fa.data(t);
    const auto db = fb.data(fb.tensor(t.name));
    ASSERT_EQ(da.size(), db.size()) << t.name;
    EXPECT_FALSE(std::equal(da.begin(), da.end(), db.begin()))
        << t.name << " did not change with the seed";
  }
}

TEST_F(SyntheticTest, TinyRoundTripsWithTheMetadataLlamaCppNeeds) {
  const auto f = bitnet::gguf::File::open(gen(tiny(), "t.gguf"));
  const fx::ModelShape& m = fx::find_shape("tiny");
  EXPECT_EQ(f.get<std::string>("general.architecture"), "bitnet");
  EXPECT_EQ(f.get<uint32_t>("bitnet.embedding_length"), 256u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.feed_forward_length"), 512u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.block_count"), 2u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.attention.head_count"), 4u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.attention.head_count_kv"), 2u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.rope.dimension_count"), 64u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.context_length"), 256u);
  EXPECT_EQ(f.get<uint32_t>("bitnet.vocab_size"), 512u);
  EXPECT_FLOAT_EQ(f.get<float>("bitnet.rope.freq_base"), 10000.0f);
  EXPECT_FLOAT_EQ(f.get<float>("bitnet.attention.layer_norm_rms_epsilon"), 1e-5f);
  EXPECT_EQ(f.get<uint32_t>("general.file_type"), 37u);  // LLAMA_FTYPE_MOSTLY_TQ2_0
  EXPECT_EQ(f.get<uint32_t>("general.quantization_version"), 2u);
  EXPECT_EQ(f.get<std::string>("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(f.get<uint32_t>("tokenizer.ggml.bos_token_id"), 1u);
  EXPECT_EQ(f.get<uint32_t>("tokenizer.ggml.eos_token_id"), 2u);
  EXPECT_EQ(f.get<uint32_t>("tokenizer.ggml.unknown_token_id"), 0u);
  EXPECT_TRUE(f.get<bool>("tokenizer.ggml.add_bos_token"));
  EXPECT_FALSE(f.get<bool>("tokenizer.ggml.add_eos_token"));
  // The SPM layout accepted by llama.cpp (golden README §4).
  const auto tokens = f.get_string_array("tokenizer.ggml.tokens");
  const auto types = f.get_i32_array("tokenizer.ggml.token_type");
  const auto scores = f.get_f32_array("tokenizer.ggml.scores");
  ASSERT_EQ(tokens.size(), 512u);
  ASSERT_EQ(types.size(), 512u);
  ASSERT_EQ(scores.size(), 512u);
  EXPECT_EQ(tokens[0], "<unk>");
  EXPECT_EQ(tokens[1], "<s>");
  EXPECT_EQ(tokens[2], "</s>");
  EXPECT_EQ(tokens[3], "<0x00>");
  EXPECT_EQ(tokens[13], "<0x0A>");
  EXPECT_EQ(tokens[258], "<0xFF>");
  EXPECT_EQ(tokens[259], "\xE2\x96\x81");
  EXPECT_EQ((std::vector<int32_t>{types[0], types[1], types[2], types[3], types[258], types[259]}),
            (std::vector<int32_t>{2, 3, 3, 6, 6, 1}));
  EXPECT_EQ(scores[259], 0.0f);
  EXPECT_EQ(scores[260], -1.0f);
  EXPECT_EQ(std::set<std::string>(tokens.begin(), tokens.end()).size(), tokens.size());

  // 2 + 11 per layer tensors with the llama.cpp names and shapes.
  EXPECT_EQ(f.tensors().size(), 2u + 11u * 2u);
  auto shape = [&](const std::string& n) { return f.tensor(n).ne; };
  EXPECT_EQ(shape("token_embd.weight"), (std::vector<int64_t>{256, 512}));
  EXPECT_EQ(f.tensor("token_embd.weight").type, static_cast<uint32_t>(bitnet::TypeId::kF16));
  EXPECT_EQ(shape("output_norm.weight"), (std::vector<int64_t>{256}));
  EXPECT_EQ(shape("blk.1.attn_q.weight"), (std::vector<int64_t>{256, 256}));
  EXPECT_EQ(shape("blk.1.attn_k.weight"), (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(shape("blk.1.attn_v.weight"), (std::vector<int64_t>{256, 128}));
  EXPECT_EQ(shape("blk.0.ffn_gate.weight"), (std::vector<int64_t>{256, 512}));
  EXPECT_EQ(shape("blk.0.ffn_down.weight"), (std::vector<int64_t>{512, 256}));
  EXPECT_EQ(shape("blk.0.ffn_sub_norm.weight"), (std::vector<int64_t>{512}));
  EXPECT_EQ(f.tensor("blk.0.ffn_up.weight").type, static_cast<uint32_t>(bitnet::TypeId::kTQ2_0));
  EXPECT_EQ(f.tensor("blk.0.attn_norm.weight").type, static_cast<uint32_t>(bitnet::TypeId::kF32));
  EXPECT_EQ(f.get<uint64_t>("bitnet_bench.synthetic.seed"), 1u);
  (void)m;
}

// Weights are ternary x one scale per tensor, distributed like absmean-quantized N(0,1) weights;
// norms and embeddings are at realistic magnitudes.
TEST_F(SyntheticTest, ValuesLookLikeRealBitNetWeights) {
  const auto f = bitnet::gguf::File::open(gen(tiny(), "t.gguf"));
  const auto& q = f.tensor("blk.0.ffn_gate.weight");
  std::vector<float> w(static_cast<size_t>(q.nelements()));
  bitnet::dequantize_row(bitnet::TypeId::kTQ2_0, f.data(q).data(), w.data(), q.nelements());
  float scale = 0;
  for (float v : w) scale = std::max(scale, std::fabs(v));
  size_t zeros = 0, plus = 0;
  for (float v : w) {
    ASSERT_TRUE(v == 0.0f || std::fabs(v) == scale) << v;
    zeros += v == 0.0f;
    plus += v > 0.0f;
  }
  const double n = static_cast<double>(w.size());
  EXPECT_NEAR(zeros / n, 0.31, 0.02);
  EXPECT_NEAR(plus / n, 0.345, 0.02);
  EXPECT_NEAR(scale, 0.798 / std::sqrt(256.0), 0.16 * 0.798 / std::sqrt(256.0));

  const auto& e = f.tensor("token_embd.weight");
  std::vector<float> emb(static_cast<size_t>(e.nelements()));
  bitnet::dequantize_row(bitnet::TypeId::kF16, f.data(e).data(), emb.data(), e.nelements());
  double sum2 = 0;
  for (float v : emb) sum2 += double(v) * v;
  EXPECT_NEAR(std::sqrt(sum2 / emb.size()), 0.05, 0.005);

  const auto& nrm = f.tensor("blk.1.ffn_norm.weight");
  const float* g = reinterpret_cast<const float*>(f.data(nrm).data());
  for (int64_t i = 0; i < nrm.nelements(); ++i) {
    EXPECT_GE(g[i], 0.75f);
    EXPECT_LT(g[i], 1.25f);
  }
}

TEST_F(SyntheticTest, EveryFormatOfTinyLoads) {
  struct Case {
    std::string format, embd;
    bitnet::TypeId wtype, etype;
    uint32_t ftype;
  };
  for (const Case& c : {Case{"tq1_0", "f16", bitnet::TypeId::kTQ1_0, bitnet::TypeId::kF16, 36},
                        Case{"i2_s", "f16", bitnet::TypeId::kI2_S, bitnet::TypeId::kF16, 40},
                        Case{"f32", "f32", bitnet::TypeId::kF32, bitnet::TypeId::kF32, 0}}) {
    SCOPED_TRACE(c.format);
    const auto f = bitnet::gguf::File::open(
        gen(tiny(c.format, 5, c.embd, "bitnet-b1.58"), c.format + ".gguf"));
    EXPECT_EQ(f.get<std::string>("general.architecture"), "bitnet-b1.58");
    EXPECT_EQ(f.get<uint32_t>("bitnet-b1.58.block_count"), 2u);
    EXPECT_EQ(f.get<uint32_t>("general.file_type"), c.ftype);
    EXPECT_EQ(f.tensor("blk.1.attn_output.weight").type, static_cast<uint32_t>(c.wtype));
    EXPECT_EQ(f.tensor("token_embd.weight").type, static_cast<uint32_t>(c.etype));
    if (c.wtype == bitnet::TypeId::kI2_S) {
      // codes, then the f32 scale (= max|w|), then 28 zero bytes — as quantize_i2_s writes.
      const auto& t = f.tensor("blk.0.ffn_down.weight");
      const auto d = f.data(t);
      ASSERT_EQ(d.size(), static_cast<size_t>(t.nelements() / 4 + 32));
      const float s = bitnet::i2s_tensor_scale(d.data(), t.nelements());
      EXPECT_GT(s, 0.0f);
      for (size_t i = d.size() - 28; i < d.size(); ++i) EXPECT_EQ(d[i], 0) << i;
      std::vector<float> w(static_cast<size_t>(t.nelements()));
      bitnet::dequantize_row(bitnet::TypeId::kI2_S, d.data(), w.data(), t.nelements(), s);
      for (float v : w) ASSERT_TRUE(v == 0.0f || std::fabs(v) == s) << v;
    }
  }
}

// Q6_K / Q8_0 embeddings: the same values as the f32-embd model of the seed (the draw does not
// depend on the type), through the llama.cpp-exact quantizers; every other tensor unchanged.
TEST_F(SyntheticTest, Q6_KAndQ8_0EmbeddingsAreTheF32ValuesQuantized) {
  const auto ref = bitnet::gguf::File::open(gen(tiny("tq2_0", 5, "f32"), "f32.gguf"));
  const auto& te = ref.tensor("token_embd.weight");
  const auto* x = reinterpret_cast<const float*>(ref.data(te).data());
  for (const auto& [embd, type] :
       {std::pair{std::string("q6_k"), bitnet::TypeId::kQ6_K}, {"q8_0", bitnet::TypeId::kQ8_0}}) {
    SCOPED_TRACE(embd);
    const auto f = bitnet::gguf::File::open(gen(tiny("tq2_0", 5, embd), embd + ".gguf"));
    const auto& t = f.tensor("token_embd.weight");
    ASSERT_EQ(t.type, static_cast<uint32_t>(type));
    EXPECT_EQ(t.ne, te.ne);
    std::vector<uint8_t> want(bitnet::quantized_bytes(type, te.nelements()));
    bitnet::quantize(type, x, want.data(), te.nelements());
    const auto got = f.data(t);
    EXPECT_TRUE(std::equal(got.begin(), got.end(), want.begin(), want.end()));
    for (const auto& o : ref.tensors()) {
      if (o.name == "token_embd.weight") continue;
      const auto a = ref.data(o);
      const auto b = f.data(f.tensor(o.name));
      EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << o.name;
    }
    EXPECT_EQ(f.get<std::string>("bitnet_bench.synthetic.spec"),
              "synthetic:tiny:tq2_0:" + embd + ":bitnet@5");
  }
}

// The decode engine reads the Q6_K / Q8_0 embedding (row lookup + tied lm_head): logits are
// finite and close to the f32-embd model's. The gap is quantization error: the embedding's, and
// the lm_head's activations (Q8_K against Q6_K, Q8_0 against Q8_0; f32 for the f32 model),
// carried through the random network: measured cos 0.99886 (q6_k) and 0.99946 (q8_0).
TEST_F(SyntheticTest, Q6_KAndQ8_0EmbeddingModelsRunInTheDecodeEngine) {
  const std::vector<int32_t> tokens = {1, 17, 42, 99, 3, 250, 7};
  auto logits = [&](const std::string& path) {
    const auto m = bitnet::model::Model::from_view(bitnet::fixtures::model_view(path));
    bitnet::model::Engine e(m, bitnet::model::EngineOptions{.n_threads = 2, .n_ctx = 32});
    std::vector<float> all;
    e.forward(tokens, &all);
    EXPECT_EQ(all.size(), tokens.size() * static_cast<size_t>(e.n_vocab()));
    return all;
  };
  const auto want = logits(gen(tiny("tq2_0", 6, "f32"), "f32.gguf"));
  for (const std::string embd : {"q6_k", "q8_0"}) {
    SCOPED_TRACE(embd);
    const auto got = logits(gen(tiny("tq2_0", 6, embd), embd + ".gguf"));
    ASSERT_EQ(got.size(), want.size());
    double dot = 0, na = 0, nb = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_TRUE(std::isfinite(got[i])) << i;
      dot += double(got[i]) * want[i];
      na += double(got[i]) * got[i];
      nb += double(want[i]) * want[i];
    }
    const double cos = dot / std::sqrt(na * nb);
    std::printf("[%s] logits vs f32 embedding: cos %.6f\n", embd.c_str(), cos);
    EXPECT_GT(cos, 0.995);
  }
}

TEST_F(SyntheticTest, EmbeddingTypesInSpecs) {
  EXPECT_EQ(fx::parse_spec("synthetic:2b4t:tq2_0:q6_k").synthetic.embd, "q6_k");
  EXPECT_EQ(fx::parse_spec("synthetic:8b:TQ1_0:Q8_0").synthetic.embd, "q8_0");
  EXPECT_EQ(fx::synthetic_file_name(fx::parse_spec("synthetic:2b4t:tq2_0:q6_k@1").synthetic),
            "2b4t-tq2_0-q6_k-bitnet-s1-g1.gguf");
  auto usage_error = [](const std::string& spec) {
    try {
      (void)fx::parse_spec(spec);
    } catch (const fx::Error& e) {
      EXPECT_EQ(e.kind(), fx::ErrorKind::kUsage);
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(usage_error("synthetic:3b:f32:q6_k")
                .find("embedding row 3200 does not fit q6_k (rows must be a multiple of 256)"),
            std::string::npos);
  EXPECT_NE(usage_error("synthetic:tiny:tq2_0:q4_k")
                .find("unknown embedding type 'q4_k' (known: f16, f32, q8_0, q6_k)"),
            std::string::npos);
}

TEST_F(SyntheticTest, ShapesHoldTheDocumentedHyperparameters) {
  // The config.json values of docs/models.md: n_embd, n_ff, n_layer, n_head, n_head_kv,
  // head_dim, n_vocab, n_ctx; arch; tied.
  struct Want {
    const char* name;
    std::vector<int64_t> dims;
    float rope_base, eps;
    const char* arch;
    bool tied;
  };
  for (const Want& w : {
           Want{"bitnet-0.7b",
                {1536, 4096, 24, 16, 16, 96, 32002, 2048},
                1e4f,
                1e-5f,
                "bitnet",
                true},
           Want{"2b4t", {2560, 6912, 30, 20, 5, 128, 128256, 4096}, 5e5f, 1e-5f, "bitnet", true},
           Want{"3b", {3200, 8640, 26, 32, 32, 100, 32002, 2048}, 1e4f, 1e-5f, "bitnet", true},
           Want{"8b", {4096, 14336, 32, 32, 8, 128, 128256, 8192}, 5e5f, 1e-5f, "llama", false},
           Want{"falcon3-1b",
                {2048, 8192, 18, 8, 4, 256, 131072, 8192},
                1000042.0f,
                1e-6f,
                "llama",
                false},
           Want{"falcon3-3b",
                {3072, 9216, 22, 12, 4, 256, 131072, 32768},
                1000042.0f,
                1e-6f,
                "llama",
                false},
           Want{"falcon3-7b",
                {3072, 23040, 28, 12, 4, 256, 131072, 32768},
                1000042.0f,
                1e-6f,
                "llama",
                false},
           Want{"falcon3-10b",
                {3072, 23040, 40, 12, 4, 256, 131072, 32768},
                1000042.0f,
                1e-6f,
                "llama",
                false},
       }) {
    SCOPED_TRACE(w.name);
    const auto& b = fx::find_shape(w.name);
    EXPECT_EQ((std::vector<int64_t>{b.n_embd, b.n_ff, b.n_layer, b.n_head, b.n_head_kv,
                                    b.head_dim(), b.n_vocab, b.n_ctx}),
              w.dims);
    EXPECT_EQ(b.rope_freq_base, w.rope_base);
    EXPECT_EQ(b.rms_eps, w.eps);
    EXPECT_EQ(b.arch, w.arch);
    EXPECT_EQ(b.tied, w.tied);
    EXPECT_EQ(fx::parse_spec(std::string("synthetic:") + w.name).synthetic.arch, w.arch);
  }
}

// Which format each real shape can be stored in, and the projection types: TQ formats fall back
// to Q4_0 per tensor as llama-quantize does (only bitnet_b1_58-3B needs it); I2_S needs rows that
// are a multiple of 128 (3B's ffn_down, 8640, is not).
TEST_F(SyntheticTest, EveryRealShapeHasItsFormatsAndFallbacks) {
  for (const auto& m : fx::model_shapes()) {
    SCOPED_TRACE(m.name);
    for (const char* fmt : {"tq2_0", "tq1_0", "i2_s", "f32"}) {
      fx::SyntheticSpec s;
      s.shape = m.name;
      s.format = fmt;
      s.arch = m.arch;
      const bool fits128 = m.n_embd % 128 == 0 && m.n_ff % 128 == 0;
      if (std::string(fmt) == "i2_s" && !fits128) {
        EXPECT_THROW(fx::validate(s), fx::Error) << fmt;
        continue;
      }
      ASSERT_NO_THROW(fx::validate(s)) << fmt;
      for (const auto& p : fx::projection_shapes(m)) {
        const bitnet::TypeId t = fx::projection_type(s, p);
        const bool tq = fmt[0] == 't';
        if (tq && p.ne0 % 256 != 0)
          EXPECT_EQ(t, bitnet::TypeId::kQ4_0) << fmt << " " << p.name;
        else
          EXPECT_EQ(t, bitnet::type_traits_by_name(fmt)->id) << fmt << " " << p.name;
      }
    }
  }
  fx::SyntheticSpec three;
  three.shape = "3b";
  three.format = "tq2_0";
  for (const auto& p : fx::projection_shapes(fx::find_shape("3b")))
    EXPECT_EQ(fx::projection_type(three, p), bitnet::TypeId::kQ4_0) << p.name;
}

// Arch llama (Llama3-8B-1.58, Falcon3): no sub-norms, an untied output.weight in the embedding
// type, and the config head_dim as key/value lengths, as llama.cpp's converter writes them.
TEST_F(SyntheticTest, LlamaArchHasNoSubNormsAndAnUntiedOutput) {
  const auto spec = fx::parse_spec("synthetic:tiny-llama:tq2_0").synthetic;
  EXPECT_EQ(spec.arch, "llama");
  const auto f = bitnet::gguf::File::open(gen(spec, "l.gguf"));
  EXPECT_EQ(f.get<std::string>("general.architecture"), "llama");
  EXPECT_EQ(f.get<uint32_t>("llama.embedding_length"), 256u);
  EXPECT_EQ(f.get<uint32_t>("llama.attention.key_length"), 64u);
  EXPECT_EQ(f.get<uint32_t>("llama.attention.value_length"), 64u);
  EXPECT_EQ(f.get<uint32_t>("llama.rope.dimension_count"), 64u);
  EXPECT_EQ(f.tensors().size(), 3u + 9u * 2u);
  EXPECT_EQ(f.find_tensor("blk.0.attn_sub_norm.weight"), nullptr);
  EXPECT_EQ(f.find_tensor("blk.1.ffn_sub_norm.weight"), nullptr);
  const auto& out = f.tensor("output.weight");
  EXPECT_EQ(out.ne, (std::vector<int64_t>{256, 512}));
  EXPECT_EQ(out.type, static_cast<uint32_t>(bitnet::TypeId::kF16));
  EXPECT_EQ(f.tensor("blk.1.ffn_down.weight").type, static_cast<uint32_t>(bitnet::TypeId::kTQ2_0));
  // The output is drawn like an embedding but from its own stream.
  const auto e = f.data(f.tensor("token_embd.weight"));
  const auto o = f.data(out);
  EXPECT_FALSE(std::equal(e.begin(), e.end(), o.begin()));
}

// rows of 320 / 864 (the 3B situation, small): TQ2_0 and TQ1_0 specs hold llama.cpp's Q4_0
// fallback, exactly what bitnet_formats' Q4_0 quantizer (byte-identical to ggml) makes of the
// ternary values; general.file_type stays the format's, as llama-quantize writes it.
TEST_F(SyntheticTest, RowsThatAreNotA256MultipleAreQ4_0AsLlamaQuantizeWritesThem) {
  const auto spec = fx::parse_spec("synthetic:tiny-fallback:tq2_0").synthetic;
  const auto path = gen(spec, "e.gguf");
  const auto f = bitnet::gguf::File::open(path);
  EXPECT_EQ(f.get<uint32_t>("general.file_type"), 37u);
  const auto& q = f.tensor("blk.0.ffn_down.weight");
  EXPECT_EQ(q.type, static_cast<uint32_t>(bitnet::TypeId::kQ4_0));
  EXPECT_EQ(q.ne, (std::vector<int64_t>{864, 320}));
  // Generated with F32 projections from the same seed: the same values.
  auto f32spec = spec;
  f32spec.format = "f32";
  const auto g = bitnet::gguf::File::open(gen(f32spec, "e32.gguf"));
  const auto& t = g.tensor("blk.0.ffn_down.weight");
  const auto* x = reinterpret_cast<const float*>(g.data(t).data());
  std::vector<uint8_t> want(bitnet::quantized_bytes(bitnet::TypeId::kQ4_0, t.nelements()));
  bitnet::quantize(bitnet::TypeId::kQ4_0, x, want.data(), t.nelements());
  const auto got = f.data(q);
  EXPECT_TRUE(std::equal(want.begin(), want.end(), got.begin(), got.end()));
  try {
    (void)fx::parse_spec("synthetic:tiny-fallback:i2_s");
    ADD_FAILURE() << "rows of 320 stored as I2_S";
  } catch (const fx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("blk.0.attn_q.weight: row length 320 is not a multiple "
                                         "of 128"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(SyntheticTest, ResolveGeneratesOnceThenUsesTheCache) {
  fx::ResolveOptions o;
  o.progress = fx::ProgressMode::kNone;
  const fx::Resolved first = fx::resolve("synthetic:tiny:tq2_0@11", o);
  EXPECT_EQ(first.source, "generated");
  EXPECT_EQ(first.path, dir / ("cache/synthetic/" + fx::synthetic_file_name(tiny("tq2_0", 11))));
  const fx::Resolved again = fx::resolve("synthetic:tiny:tq2_0@11", o);
  EXPECT_EQ(again.source, "cache");
  EXPECT_EQ(again.sha256, first.sha256);
  EXPECT_EQ(first.sha256, bitnet::testing::sha256_of(
                              bitnet::testing::read_file(gen(tiny("tq2_0", 11), "x.gguf"))));
  o.allow_generate = false;
  try {
    fx::resolve("synthetic:tiny:tq2_0@12", o);
    ADD_FAILURE() << "generated although generation was disabled";
  } catch (const fx::Error& e) {
    EXPECT_EQ(e.kind(), fx::ErrorKind::kNotFound);
  }
}

TEST_F(SyntheticTest, ConcurrentResolversGenerateOnce) {
  // Whatever the timing, the lock + re-check lets exactly one process generate.
  pid_t kids[3];
  for (pid_t& k : kids) {
    k = ::fork();
    ASSERT_GE(k, 0);
    if (k == 0) {
      try {
        fx::ResolveOptions o;
        o.progress = fx::ProgressMode::kNone;
        const fx::Resolved r = fx::resolve("synthetic:tiny:i2_s@21", o);
        ::_exit(r.source == "generated" ? 10 : r.source == "cache" ? 11 : 12);
      } catch (...) {
        ::_exit(13);
      }
    }
  }
  int generated = 0, cached = 0;
  for (pid_t k : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(k, &status, 0), k);
    ASSERT_TRUE(WIFEXITED(status));
    generated += WEXITSTATUS(status) == 10;
    cached += WEXITSTATUS(status) == 11;
  }
  EXPECT_EQ(generated, 1);
  EXPECT_EQ(cached, 2);
}

TEST_F(SyntheticTest, VocabFillsRealSizesWithUniqueTokens) {
  const fx::SpmVocab v = fx::make_spm_vocab(128256);
  ASSERT_EQ(v.tokens.size(), 128256u);
  EXPECT_EQ(std::set<std::string>(v.tokens.begin(), v.tokens.end()).size(), v.tokens.size());
  EXPECT_EQ(v.scores.back(), -static_cast<float>(128256 - 259 - 1));
}

}  // namespace
