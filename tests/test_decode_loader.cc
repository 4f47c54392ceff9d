// Model loading: every malformed model is a gguf::Error naming the file, the tensor or key, and an
// offset; optional `.scale` tensors are honoured.
#include <gtest/gtest.h>

#include <functional>

#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/gguf/gguf.h"
#include "test_decode_ref.h"
#include "test_decode_util.h"

namespace bitnet {
namespace {

using model::Model;

// Copies the golden TQ2_0 model, letting `edit` change metadata and tensors on the way.
struct Edit {
  std::function<void(gguf::Writer&)> meta = nullptr;            // after copying metadata
  std::function<bool(const gguf::TensorInfo&)> drop = nullptr;  // skip this tensor
  std::function<std::vector<int64_t>(const gguf::TensorInfo&)> shape =
      nullptr;  // new shape (same bytes)
};

std::string write_edited(const std::string& name, const Edit& e) {
  const auto f = gguf::File::open(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf"));
  const std::string dst = testutil::temp_path(name);
  gguf::Writer w(dst);
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  if (e.meta) e.meta(w);
  std::vector<const gguf::TensorInfo*> kept;
  for (const auto& t : f.tensors()) {
    if (e.drop && e.drop(t)) continue;
    kept.push_back(&t);
    w.add_tensor(t.name, t.type, e.shape ? e.shape(t) : t.ne);
  }
  w.begin_data();
  for (const auto* t : kept) w.write(f.data(*t));
  w.finish();
  return dst;
}

// Loads `path` expecting a gguf::Error whose field and message contain the given words.
void expect_error(const std::string& path, const std::string& field, const std::string& words) {
  try {
    Model::from_view(bitnet::fixtures::model_view(path));
    FAIL() << "no error for " << path;
  } catch (const gguf::Error& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(e.field().find(field), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(DecodeLoader, GoldenModelsLoad) {
  for (const char* f : {"tiny-bitnet-A-TQ2_0.gguf", "tiny-bitnet-A-TQ1_0.gguf",
                        "tiny-bitnet-A-TQ2_0-default.gguf", "tiny-bitnet-A-I2_S.gguf"}) {
    const Model m = Model::from_view(bitnet::fixtures::model_view(testutil::data_path(f)));
    const auto& hp = m.hparams();
    EXPECT_EQ(hp.arch, "bitnet");
    EXPECT_EQ(hp.ffn_act, model::FfnAct::kSilu);
    EXPECT_EQ(hp.n_embd, 256);
    EXPECT_EQ(hp.n_layer, 2);
    EXPECT_EQ(hp.n_head, 4);
    EXPECT_EQ(hp.n_head_kv, 2);
    EXPECT_EQ(hp.n_ff, 512);
    EXPECT_EQ(hp.n_vocab, 512);
    EXPECT_EQ(hp.n_rot, 64);
    EXPECT_FLOAT_EQ(hp.rope_freq_base, 10000.0f);
    EXPECT_EQ(m.pieces().size(), 512u);
    EXPECT_EQ(model::piece_text(m.pieces()[13]), "\n");  // <0x0A>
  }
  EXPECT_EQ(model::piece_text("\xe2\x96\x81the"), " the");
  EXPECT_EQ(model::piece_text("<0xZZ>"), "<0xZZ>");
}

TEST(DecodeLoader, UnsupportedArchitecture) {
  const auto p = write_edited(
      "arch.gguf", {.meta = [](gguf::Writer& w) { w.set_string("general.architecture", "gpt2"); }});
  expect_error(p, "general.architecture",
               "unsupported architecture 'gpt2' (supported: 'bitnet', 'bitnet-b1.58', 'llama')");
}

TEST(DecodeLoader, MissingTensor) {
  const auto p = write_edited("missing.gguf", {.drop = [](const gguf::TensorInfo& t) {
                                return t.name == "blk.1.ffn_up.weight";
                              }});
  expect_error(p, "blk.1.ffn_up.weight", "missing");
}

TEST(DecodeLoader, WrongShape) {
  const auto p = write_edited("shape.gguf", {.shape = [](const gguf::TensorInfo& t) {
                                if (t.name != "blk.0.attn_k.weight") return t.ne;
                                return std::vector<int64_t>{512, 64};  // same bytes, wrong shape
                              }});
  expect_error(p, "blk.0.attn_k.weight", "expected [256, 128]");
}

TEST(DecodeLoader, BadHeadCount) {
  const auto p = write_edited("heads.gguf", {.meta = [](gguf::Writer& w) {
                                w.set_u32("bitnet.attention.head_count_kv", 3);
                              }});
  expect_error(p, "bitnet.attention.head_count_kv", "multiple");
}

// `.scale` tensors multiply their projection's output (llama.cpp's wq_scale etc.): the engine
// and the reference (which applies them to the dequantized weights) still agree, and the
// logits differ from the unscaled model.
TEST(DecodeLoader, ScaleTensorsAreHonoured) {
  const std::string plain = testutil::temp_path("plain.gguf");
  const std::string scaled = testutil::temp_path("scaled.gguf");
  testutil::write_f32_copy(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf"), plain);
  testutil::write_f32_copy(testutil::data_path("tiny-bitnet-A-TQ2_0.gguf"), scaled, 1.75f);
  const Model mp = Model::from_view(bitnet::fixtures::model_view(plain)),
              ms = Model::from_view(bitnet::fixtures::model_view(scaled));
  EXPECT_FLOAT_EQ(ms.layers()[0].wq.out_scale, 1.75f);
  EXPECT_FLOAT_EQ(ms.layers()[1].w_down.out_scale, 1.75f);
  EXPECT_FLOAT_EQ(ms.layers()[1].wq.out_scale, 1.0f);
  const std::vector<int32_t> toks = {1, 17, 42, 99, 3};
  const auto want = testref::RefModel(gguf::File::open(scaled)).forward(toks, {});
  model::Engine es(ms, {.n_threads = 2, .n_ctx = 16, .kv_type = model::KvType::kF32});
  model::Engine ep(mp, {.n_threads = 2, .n_ctx = 16, .kv_type = model::KvType::kF32});
  std::vector<float> got, base;
  es.forward(toks, &got);
  ep.forward(toks, &base);
  const size_t V = 512;
  for (size_t i = 0; i < toks.size(); ++i) {
    EXPECT_GE(testutil::cosine({got.data() + i * V, V}, want[i]), 0.9999999) << "row " << i;
    EXPECT_LT(testutil::cosine({got.data() + i * V, V}, {base.data() + i * V, V}), 0.9999) << i;
  }
}

}  // namespace
}  // namespace bitnet
