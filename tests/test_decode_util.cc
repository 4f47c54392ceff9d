#include "test_decode_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bitnet/formats/blocks.h"
#include "bitnet/gguf/gguf.h"
#include "test_decode_ref.h"

namespace bitnet::testutil {

Golden load_golden(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto j = nlohmann::json::parse(in);
  Golden g;
  j.at("tokens").get_to(g.tokens);
  j.at("logits").get_to(g.logits);
  j.at("argmax").get_to(g.argmax);
  j.at("margin").get_to(g.margin);
  j.at("greedy").get_to(g.greedy);
  j.at("greedy_logits").get_to(g.greedy_logits);
  j.at("greedy_margin").get_to(g.greedy_margin);
  return g;
}

template <class A, class B>
double cos_impl(A a, B b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += static_cast<double>(a[i]) * b[i];
    aa += static_cast<double>(a[i]) * a[i];
    bb += static_cast<double>(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

double cosine(std::span<const float> a, std::span<const float> b) {
  if (a.size() != b.size()) throw std::invalid_argument("cosine: size mismatch");
  return cos_impl(a, b);
}

double cosine(std::span<const float> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("cosine: size mismatch");
  return cos_impl(a, b);
}

double max_abs_diff(std::span<const float> a, std::span<const double> b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

std::string data_path(const std::string& name) {
  return std::string(BITNET_TEST_DATA_DIR) + "/" + name;
}

std::string temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string tag = info ? std::string(info->test_suite_name()) + "." + info->name() : "x";
  for (char& c : tag)
    if (c == '/') c = '_';
  return ::testing::TempDir() + "bitnet_decode_" + tag + "_" + name;
}

void write_f32_copy(const std::string& src, const std::string& dst, float out_scale) {
  const auto f = gguf::File::open(src);
  gguf::Writer w(dst);
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  w.set_u32("general.file_type", 0);
  for (const auto& t : f.tensors()) w.add_tensor(t.name, 0, t.ne);
  const char* const kScaled[] = {"blk.0.attn_q.scale", "blk.1.ffn_down.scale"};
  if (out_scale != 0.0f)
    for (const char* name : kScaled) w.add_tensor(name, 0, {1});
  w.begin_data();
  for (const auto& t : f.tensors()) {
    const auto d =
        testref::dequantize(static_cast<TypeId>(t.type), f.data(t).data(), t.nelements());
    std::vector<float> v(d.begin(), d.end());
    w.write({reinterpret_cast<const uint8_t*>(v.data()), v.size() * sizeof(float)});
  }
  if (out_scale != 0.0f)
    for (int i = 0; i < 2; ++i)
      w.write({reinterpret_cast<const uint8_t*>(&out_scale), sizeof(float)});
  w.finish();
}

void write_q8_0_embd_copy(const std::string& src, const std::string& dst) {
  const auto f = gguf::File::open(src);
  gguf::Writer w(dst);
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  const uint32_t kQ8_0 = 8;
  for (const auto& t : f.tensors())
    w.add_tensor(t.name, t.name == "token_embd.weight" ? kQ8_0 : t.type, t.ne);
  w.begin_data();
  for (const auto& t : f.tensors()) {
    if (t.name != "token_embd.weight") {
      w.write(f.data(t));
      continue;
    }
    const auto x =
        testref::dequantize(static_cast<TypeId>(t.type), f.data(t).data(), t.nelements());
    std::vector<uint8_t> out;
    for (size_t b = 0; b < x.size(); b += 32) {
      double amax = 0;
      for (size_t i = b; i < b + 32; ++i) amax = std::max(amax, std::fabs(x[i]));
      const float d = static_cast<float>(amax) / 127.0f;
      const float id = d != 0.0f ? 1.0f / d : 0.0f;
      const fp16_t dh = fp32_to_fp16(d);
      out.push_back(static_cast<uint8_t>(dh & 0xff));
      out.push_back(static_cast<uint8_t>(dh >> 8));
      for (size_t i = b; i < b + 32; ++i)
        out.push_back(
            static_cast<uint8_t>(static_cast<int8_t>(std::round(static_cast<float>(x[i]) * id))));
    }
    w.write(out);
  }
  w.finish();
}

void write_file_type_copy(const std::string& src, const std::string& dst, uint32_t file_type) {
  const auto f = gguf::File::open(src);
  gguf::Writer w(dst, static_cast<uint32_t>(f.alignment()));
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  w.set_u32("general.file_type", file_type);
  for (const auto& t : f.tensors()) w.add_tensor(t.name, t.type, t.ne);
  w.begin_data();
  for (const auto& t : f.tensors()) w.write(f.data(t));
  w.finish();
}

std::string model_path(const std::string& spec) {
  const size_t colon = spec.find(':');
  if (colon != std::string::npos) {
    const std::string how = spec.substr(0, colon);
    const std::string src = model_path(spec.substr(colon + 1));
    std::string dst = spec.substr(colon + 1);
    std::replace(dst.begin(), dst.end(), '/', '_');
    if (how == "F32") {
      dst = temp_path(dst + ".f32.gguf");
      write_f32_copy(src, dst);
    } else if (how.rfind("file_type=", 0) == 0) {
      dst = temp_path(dst + "." + how + ".gguf");
      write_file_type_copy(src, dst, static_cast<uint32_t>(std::stoul(how.substr(10))));
    } else {
      throw std::invalid_argument("model_path: unknown transform '" + how + "' in " + spec);
    }
    return dst;
  }
  const std::string gz = ".gz";
  if (spec.size() > gz.size() && spec.compare(spec.size() - gz.size(), gz.size(), gz) == 0) {
    // gzip is part of every Debian system; the large golden F32 models are stored compressed.
    const std::string dst = temp_path(spec.substr(0, spec.size() - gz.size()));
    const std::string cmd = "gzip -dc '" + data_path(spec) + "' > '" + dst + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
    return dst;
  }
  return data_path(spec);
}

}  // namespace bitnet::testutil
