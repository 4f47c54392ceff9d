// bitnet-quantize IN.gguf OUT.gguf FORMAT [--embd TYPE] [--output TYPE]
// Converts the 2-D weights (the projections blk.N.attn_{q,k,v,output}.weight,
// blk.N.ffn_{gate,up,down}.weight, and any other 2-D *weight that is not a norm) to FORMAT =
// TQ2_0 | TQ1_0 | I2_S with the origin's exact quantizers (llama.cpp / bitnet.cpp byte for byte),
// choosing each tensor's type as the origin's llama-quantize does (fixtures/quantize_policy.h):
// rows that are not a multiple of 256 fall back to Q4_0 (F16 below 32) for TQ formats, as
// llama.cpp c392e5094 does; I2_S rows must be a multiple of 128 (refused otherwise). Norms and
// other tensors are copied. token_embd.weight / output.weight get the origin's default: Q6_K for
// the output (or a tied token_embd) of TQ formats, F16 for I2_S (bitnet.cpp 406a503), Q8_0 when
// the row is not a multiple of 256; an untied token_embd of a TQ model would be Q4_K, which is not
// implemented here (kept, with a note). --embd/--output pick another type (F32 | F16 | BF16 |
// Q8_0 | Q6_K) or `keep`. general.file_type becomes 37 (TQ2_0), 36 (TQ1_0) or 40 (I2_S);
// general.quantization_version is set to 2. A tensor written in FORMAT that is not exactly
// ternary is still quantized, with a warning giving the measured error.
// Exit codes (docs/cli.md): 0 ok, 1 other error, 2 usage error, 3 bad or unreadable input or
// unwritable output.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "bitnet/cli/app.h"
#include "bitnet/fixtures/quantize_policy.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/gguf/gguf.h"
#include "bitnet/kernels/driver.h"

namespace bitnet {
namespace {

namespace cli = bitnet::cli;

// A type flag: unset (the origin's default), `keep` (copy the tensor), or a type to write.
struct TypeChoice {
  enum Kind { kDefault, kKeep, kType } kind = kDefault;
  TypeId type = TypeId::kF16;
};

struct Options {
  std::string in, out;
  TypeId format = TypeId::kTQ2_0;
  TypeChoice embd, output;
};

uint32_t file_type_for(TypeId t) {
  return *type_traits(t)->file_type;  // llama_ftype; I2_S: bitnet.cpp's LLAMA_FTYPE_MOSTLY_I2_S
}

std::string tname(uint32_t id) {
  const auto t = type_traits(id);
  return t ? std::string(t->name) : "type " + std::to_string(id);
}

bool is_float_type(uint32_t t) {
  return t == static_cast<uint32_t>(TypeId::kF32) || t == static_cast<uint32_t>(TypeId::kF16) ||
         t == static_cast<uint32_t>(TypeId::kBF16);
}

// The tensor's output type: an explicit --embd/--output choice, else the origin's default
// (fixtures::tensor_type). Returns the input type to copy the tensor unchanged.
uint32_t out_type_for(const Options& o, const fixtures::QuantizeTarget& target,
                      const gguf::TensorInfo& t) {
  if (!fixtures::is_quantized_tensor(t.name, t.ne.size())) return t.type;
  const bool is_embd = t.name == "token_embd.weight";
  const bool is_output = t.name == "output.weight" || (is_embd && !target.has_output);
  if (is_embd || is_output) {
    TypeChoice c = is_embd ? o.embd : o.output;
    if (is_embd && !target.has_output && c.kind == TypeChoice::kDefault) c = o.output;
    if (c.kind == TypeChoice::kKeep) return t.type;
    if (c.kind == TypeChoice::kType) return static_cast<uint32_t>(c.type);
    // Defaults only convert float tensors: re-quantizing a quantized one would add error.
    if (!is_float_type(t.type)) {
      std::fprintf(stderr, "bitnet-quantize: note: %s is %s already; kept (use --%s to convert)\n",
                   t.name.c_str(), tname(t.type).c_str(), is_embd ? "embd" : "output");
      return t.type;
    }
  }
  const fixtures::TensorType d = fixtures::tensor_type(target, t.name, t.ne[0]);
  if (!type_traits(d.type)->quantize) {
    if (!is_embd && !is_output)
      throw std::invalid_argument("tensor " + t.name + ": llama-quantize would write it as " +
                                  tname(static_cast<uint32_t>(d.type)) +
                                  ", which is not implemented here");
    // llama.cpp writes an untied token_embd as Q4_K (Q5_0 for rows that are not a multiple of
    // 256) for TQ formats; there is no quantizer for those here.
    std::fprintf(stderr,
                 "bitnet-quantize: note: llama-quantize would write %s%s as %s, which is not "
                 "implemented here; kept as %s (use --%s to convert)\n",
                 is_embd && target.has_output ? "the untied " : "", t.name.c_str(),
                 tname(static_cast<uint32_t>(d.type)).c_str(), tname(t.type).c_str(),
                 is_embd ? "embd" : "output");
    return t.type;
  }
  if (d.fallback)
    std::fprintf(stderr,
                 "bitnet-quantize: note: %s: row length %lld is not a multiple of the %s block "
                 "(%lld); using fallback quantization %s, as llama-quantize does\n",
                 t.name.c_str(), static_cast<long long>(t.ne[0]),
                 tname(static_cast<uint32_t>(d.preferred)).c_str(),
                 static_cast<long long>(type_traits(d.preferred)->block_elems),
                 tname(static_cast<uint32_t>(d.type)).c_str());
  return static_cast<uint32_t>(d.type);
}

// The tensor as f32 (any type dequantize_row reads), or an error naming file and tensor.
std::vector<float> to_f32(const gguf::File& f, const gguf::TensorInfo& t) {
  const auto bytes = f.data(t);
  const int64_t n = t.nelements();
  std::vector<float> out(static_cast<size_t>(n));
  const auto type = static_cast<TypeId>(t.type);
  const float scale = tensor_scale(type, bytes.data(), n);
  const int64_t row = t.ne.empty() ? n : t.ne[0];
  if (type == TypeId::kI2_S) {
    dequantize_row(type, bytes.data(), out.data(), n, scale);
  } else {
    const uint64_t rb = *row_bytes(t.type, static_cast<uint64_t>(row));
    for (int64_t r = 0; r < n / row; ++r)
      dequantize_row(type, bytes.data() + r * rb, out.data() + r * row, row, scale);
  }
  return out;
}

int run(const Options& o) {
  const gguf::File in = gguf::File::open(o.in);
  gguf::Writer w(o.out, static_cast<uint32_t>(in.alignment()));
  // Key order as each origin writes it, so outputs can be compared byte for byte. Both set
  // quantization_version, then file_type. llama.cpp's gguf (c392e5094) removes a key it sets and
  // appends it; bitnet.cpp's (2024) overwrites an existing key in place and appends a new one.
  const bool llama_order = o.format != TypeId::kI2_S;
  const uint32_t qv = 2, ft = file_type_for(o.format);
  bool has_qv = false, has_ft = false;
  for (const auto& kv : in.metadata()) {
    const bool is_qv = kv.key == "general.quantization_version";
    const bool is_ft = kv.key == "general.file_type";
    if (llama_order && (is_qv || is_ft)) continue;
    if (is_qv || is_ft) {
      w.set_u32(kv.key, is_qv ? qv : ft);
      (is_qv ? has_qv : has_ft) = true;
    } else {
      w.set(kv.key, kv.value);
    }
  }
  if (!has_qv) w.set_u32("general.quantization_version", qv);
  if (!has_ft) w.set_u32("general.file_type", ft);

  // Tensor order: llama.cpp's loader sorts by (layer of "blk.N.", -1 for others; then name);
  // bitnet.cpp (2024) keeps the input order.
  std::vector<const gguf::TensorInfo*> order;
  for (const auto& t : in.tensors()) order.push_back(&t);
  if (llama_order) {
    auto layer = [](const std::string& n) {
      int l = -1;
      return std::sscanf(n.c_str(), "blk.%d.", &l) == 1 ? l : -1;
    };
    std::stable_sort(order.begin(), order.end(), [&](const auto* a, const auto* b) {
      const int la = layer(a->name), lb = layer(b->name);
      return la != lb ? la < lb : a->name < b->name;
    });
  }

  // Decide every tensor's output type first (the header lists them all before any data).
  fixtures::QuantizeTarget target;
  target.format = o.format;
  target.arch = in.find("general.architecture") ? in.get<std::string>("general.architecture") : "";
  target.has_output = in.find_tensor("output.weight") != nullptr;
  std::vector<uint32_t> out_type;
  int fallbacks = 0, quantized = 0;
  for (const auto* tp : order) {
    const auto& t = *tp;
    uint32_t type = t.type;
    try {
      type = out_type_for(o, target, t);
    } catch (const std::invalid_argument& e) {  // a row length the format cannot hold
      throw std::runtime_error(o.in + ": " + e.what());
    }
    if (type != t.type) {
      const auto traits = type_traits(type);
      const int64_t block = traits->block_elems;
      if (t.ne.empty() || t.ne[0] % block != 0)
        throw std::runtime_error(o.in + ": tensor " + t.name + ": row length " +
                                 std::to_string(t.ne.empty() ? 0 : t.ne[0]) +
                                 " is not a multiple of the " + tname(type) + " block (" +
                                 std::to_string(block) + ")");
    }
    if (fixtures::is_quantized_tensor(t.name, t.ne.size()) && t.name != "token_embd.weight" &&
        t.name != "output.weight") {
      ++quantized;
      if (type != static_cast<uint32_t>(o.format)) ++fallbacks;
    }
    out_type.push_back(type);
    w.add_tensor(t.name, type, t.ne);
  }
  w.begin_data();

  int converted = 0, warned = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const auto& t = *order[i];
    if (out_type[i] == t.type) {  // copied unchanged
      w.write(in.data(t));
      continue;
    }
    const std::vector<float> x = to_f32(in, t);
    const int64_t n = t.nelements();
    const auto type = static_cast<TypeId>(out_type[i]);
    std::vector<uint8_t> q(quantized_bytes(type, n));
    try {
      quantize(type, x.data(), q.data(), n);
    } catch (const std::invalid_argument& e) {  // e.g. a NaN, or a value too large for the type
      throw std::runtime_error(o.in + ": tensor " + t.name + ": " + e.what());
    }
    w.write(q);
    if (out_type[i] == static_cast<uint32_t>(o.format)) {
      ++converted;
      // Measure the loss: a ternary input (all values in {-s, 0, +s}) must come back exactly,
      // unless s itself is not an fp16 value (TQ formats store the scale as fp16).
      std::vector<float> y(static_cast<size_t>(n));
      dequantize(type, q.data(), y.data(), n, tensor_scale(type, q.data(), n));
      double err = 0, ref = 0, max_err = 0;
      float s = 0;
      bool ternary = true;
      for (int64_t k = 0; k < n; ++k) {
        const double d = static_cast<double>(x[k]) - y[k];
        err += d * d;
        ref += static_cast<double>(x[k]) * x[k];
        max_err = std::max(max_err, std::fabs(d));
        const float a = std::fabs(x[k]);
        if (a != 0 && s == 0) s = a;
        ternary = ternary && (a == 0 || a == s);
      }
      const double rel = ref > 0 ? 100.0 * std::sqrt(err / ref) : 0.0;
      if (max_err > 0 && ternary) {
        std::fprintf(stderr,
                     "bitnet-quantize: note: %s is ternary with scale %.9g, which %s stores as "
                     "fp16 (%.4f%% relative RMS error)\n",
                     t.name.c_str(), s, tname(out_type[i]).c_str(), rel);
      } else if (max_err > 0) {
        ++warned;
        std::fprintf(stderr,
                     "bitnet-quantize: warning: %s is not ternary: %s keeps %.2f%% relative RMS "
                     "error (max |error| %.6g)\n",
                     t.name.c_str(), tname(out_type[i]).c_str(), rel, max_err);
      }
    }
  }
  w.finish();
  std::string embd;
  for (size_t i = 0; i < order.size(); ++i)
    if (order[i]->name == "token_embd.weight" || order[i]->name == "output.weight")
      embd += ", " + order[i]->name + " " + tname(order[i]->type) + " -> " + tname(out_type[i]);
  std::printf("%s: %d projections -> %s (%d not ternary)%s, %zu tensors total\n", o.out.c_str(),
              converted, tname(static_cast<uint32_t>(o.format)).c_str(), warned, embd.c_str(),
              in.tensors().size());
  if (fallbacks > 0)
    std::printf(
        "%s: %d of %d weight tensors required fallback quantization (rows that are not a "
        "multiple of the %s block)\n",
        o.out.c_str(), fallbacks, quantized, tname(static_cast<uint32_t>(o.format)).c_str());
  return 0;
}

// --embd / --output: `keep` (any case) or one of the types we can write.
TypeChoice parse_type_choice(const std::string& flag, const std::string& v) {
  if (v.size() == 4 && std::equal(v.begin(), v.end(), "keep", [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
      }))
    return {TypeChoice::kKeep, TypeId::kF16};
  const auto t = type_traits_by_name(v);
  if (!t || (t->id != TypeId::kF32 && t->id != TypeId::kF16 && t->id != TypeId::kBF16 &&
             t->id != TypeId::kQ8_0 && t->id != TypeId::kQ6_K))
    throw cli::UsageError(flag + " '" + v + "': expected F32, F16, BF16, Q8_0, Q6_K or keep");
  return {TypeChoice::kType, t->id};
}

}  // namespace
}  // namespace bitnet

int main(int argc, char** argv) {
  namespace cli = bitnet::cli;
  CLI::App app(
      "Converts the 2-D projection weights of a GGUF model to a ternary FORMAT with the origin's\n"
      "quantizers (llama.cpp / bitnet.cpp byte for byte); other tensors are copied.",
      "bitnet-quantize");
  cli::configure(app);
  app.footer(
      "Exit status: 0 ok, 1 other error, 2 usage error, 3 bad or unreadable input or\n"
      "unwritable output (docs/cli.md).");
  bitnet::Options o;
  std::string format, embd, output;
  app.add_option("IN.gguf", o.in, "the model to convert")->required();
  app.add_option("OUT.gguf", o.out, "where to write it")->required();
  app.add_option("FORMAT", format, "TQ2_0 | TQ1_0 | I2_S: type of the 2-D projection weights")
      ->required();
  app.add_option("--embd,--token-embedding-type", embd,
                 "token_embd.weight: F32 | F16 | BF16 | Q8_0 | Q6_K | keep (default: what the\n"
                 "origin's llama-quantize picks: Q6_K for TQ1_0/TQ2_0 when tied to the\n"
                 "output, F16 for I2_S)")
      ->type_name("TYPE");
  app.add_option("--output,--output-tensor-type", output,
                 "output.weight, and token_embd when tied and --embd is not given: same\n"
                 "types (default Q6_K for TQ1_0/TQ2_0, F16 for I2_S)")
      ->type_name("TYPE");
  return cli::run(
      app, argc, argv,
      [&] {
        if (!embd.empty()) o.embd = bitnet::parse_type_choice("--embd", embd);
        if (!output.empty()) o.output = bitnet::parse_type_choice("--output", output);
        const auto f = bitnet::type_traits_by_name(format);
        if (!f || (f->id != bitnet::TypeId::kTQ2_0 && f->id != bitnet::TypeId::kTQ1_0 &&
                   f->id != bitnet::TypeId::kI2_S))
          throw cli::UsageError("FORMAT '" + format + "': expected TQ2_0, TQ1_0 or I2_S");
        o.format = f->id;
        return bitnet::run(o);
      },
      [](const std::exception& e) {
        // The reader's errors name file and offset; run()'s name file and tensor (a NaN, a row
        // that is not a whole number of blocks): both are the input's fault.
        return dynamic_cast<const bitnet::gguf::Error*>(&e) ||
                       dynamic_cast<const std::runtime_error*>(&e)
                   ? cli::kExitInput
                   : -1;
      });
}
