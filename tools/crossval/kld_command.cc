#include "bitnet/crossval/kld_command.h"

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "bitnet/compare/peer_runner.h"
#include "bitnet/crossval/kld_engine.h"
#include "bitnet/fixtures/fixtures.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/gguf/gguf.h"

namespace bitnet::crossval {
namespace bc = bitnet::compare;

namespace {

struct Opts {
  std::optional<std::string> base, write_base, tokens_file, out;
  std::string model;
  int threads = 1;
  int64_t batch = 0, n_ctx = 0, chunks = 0;
  model::AttnNumerics numerics = model::AttnNumerics::kAuto;
  std::optional<double> max_mean_kld, max_kld, min_same_top;
};

[[noreturn]] void usage(const std::string& msg) {
  throw bc::CompareError(bc::kExitUsage, msg);
}

// A missing or bad file or model (docs/cli.md: exit 3).
[[noreturn]] void bad_input(const std::string& msg) {
  throw bc::CompareError(bc::kExitInput, msg);
}

double number(const std::string& s, const std::string& flag) {
  try {
    size_t pos = 0;
    const double v = std::stod(s, &pos);
    if (pos == s.size()) return v;
  } catch (const std::exception&) {
  }
  usage(fmt::format("{}: '{}' is not a number", flag, s));
}

int64_t integer(const std::string& s, const std::string& flag, int64_t lo) {
  const double v = number(s, flag);
  if (v != static_cast<double>(static_cast<int64_t>(v)) || v < static_cast<double>(lo))
    usage(fmt::format("{}: '{}' is not an integer >= {}", flag, s, lo));
  return static_cast<int64_t>(v);
}

Opts parse(const std::vector<std::string>& a) {
  Opts o;
  for (size_t i = 0; i < a.size(); ++i) {
    const std::string& f = a[i];
    auto val = [&]() -> const std::string& {
      if (i + 1 >= a.size()) usage(f + " needs a value");
      return a[++i];
    };
    if (f == "--base")
      o.base = val();
    else if (f == "-m" || f == "--model")
      o.model = val();
    else if (f == "-t")
      o.threads = static_cast<int>(integer(val(), f, 1));
    else if (f == "-b")
      o.batch = integer(val(), f, 1);
    else if (f == "-c")
      o.n_ctx = integer(val(), f, 4);
    else if (f == "--chunks")
      o.chunks = integer(val(), f, 1);
    else if (f == "--tokens")
      o.tokens_file = val();
    else if (f == "--write-base")
      o.write_base = val();
    else if (f == "-o")
      o.out = val();
    else if (f == "--max-mean-kld")
      o.max_mean_kld = number(val(), f);
    else if (f == "--max-kld")
      o.max_kld = number(val(), f);
    else if (f == "--min-same-top")
      o.min_same_top = number(val(), f);
    else if (f == "--numerics") {
      const std::string& v = val();
      if (v == "auto")
        o.numerics = model::AttnNumerics::kAuto;
      else if (v == "llama.cpp")
        o.numerics = model::AttnNumerics::kLlamaCpp;
      else if (v == "bitnet.cpp")
        o.numerics = model::AttnNumerics::kBitnetCpp;
      else
        usage("--numerics: '" + v + "' is not auto, llama.cpp or bitnet.cpp");
    } else {
      usage(fmt::format("kld: unknown option '{}' (see --help)", f));
    }
  }
  if (o.model.empty()) usage("kld: -m MODEL is required");
  if (!o.base && !o.write_base) usage("kld: give --base FILE (and/or --write-base OUT)");
  if (o.write_base && !o.base && !(o.tokens_file && o.n_ctx > 0))
    usage("kld --write-base: tokens come from --base FILE or from --tokens FILE -c N");
  if (!o.write_base && o.tokens_file) usage("kld: --tokens goes with --write-base");
  return o;
}

std::vector<int32_t> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) bad_input(fmt::format("cannot open token file '{}'", path));
  std::vector<int32_t> ids;
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& ch : s)
    if (ch == ',') ch = ' ';
  std::istringstream words(s);
  uint64_t offset_word = 0;
  for (std::string w; words >> w; ++offset_word) {
    size_t pos = 0;
    long v = -1;
    try {
      v = std::stol(w, &pos);
    } catch (const std::exception&) {
      pos = 0;
    }
    if (pos != w.size() || v < 0 || v > INT32_MAX)
      bad_input(fmt::format("{}: word {} ('{}') is not a token id", path, offset_word, w));
    ids.push_back(static_cast<int32_t>(v));
  }
  return ids;
}

std::string write_json_atomically(const nlohmann::json& j, const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << j.dump(2) << "\n";
    out.close();
    if (!out) bad_input(fmt::format("cannot write '{}'", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    bad_input(fmt::format("cannot rename '{}' to '{}'", tmp, path));
  return path;
}

}  // namespace

int run_kld_command(const std::vector<std::string>& args) {
  const Opts o = parse(args);
  std::optional<KldBase> base;
  try {
    if (o.base) base = read_kld_base(*o.base);
  } catch (const KldFileError& e) {
    bad_input(e.what());
  }
  std::string path;
  try {
    path = fixtures::resolve_path(o.model);
  } catch (const std::exception& e) {
    bad_input(fmt::format("model '{}': {}", o.model, e.what()));
  }
  std::optional<model::Model> m;
  BosRule bos;
  try {
    m.emplace(model::Model::from_view(fixtures::model_view(path)));
    bos = read_bos_rule(path);
  } catch (const std::exception& e) {
    bad_input(fmt::format("cannot load model '{}': {}", path, e.what()));
  }
  const ChunkRunOptions ro{.threads = o.threads, .n_batch = o.batch, .numerics = o.numerics};

  if (o.write_base) {
    std::vector<int32_t> toks = base ? base->tokens : read_token_file(*o.tokens_file);
    const int32_t n_ctx = base ? base->n_ctx : static_cast<int32_t>(o.n_ctx);
    size_t n_chunk = toks.size() / size_t(n_ctx);
    if (o.chunks > 0) n_chunk = std::min(n_chunk, size_t(o.chunks));
    if (n_chunk == 0)
      bad_input(
          fmt::format("--write-base: {} tokens do not fill one chunk of {}", toks.size(), n_ctx));
    toks.resize(n_chunk * size_t(n_ctx));
    for (size_t i = 0; i < toks.size(); ++i)
      if (toks[i] >= m->hparams().n_vocab)
        bad_input(fmt::format("token {} is {}, outside the model's vocabulary ({})", i, toks[i],
                              m->hparams().n_vocab));
    double ppl = 0;
    try {
      ppl = write_base_from_engine(*m, bos, n_ctx, toks, ro, *o.write_base);
    } catch (const KldFileError& e) {
      bad_input(e.what());
    }
    std::printf(
        "wrote %s: %zu chunks of %d tokens, %zu scored positions; Final estimate: PPL = "
        "%.4f\n",
        o.write_base->c_str(), n_chunk, n_ctx, n_chunk * size_t(n_ctx - 1 - n_ctx / 2), ppl);
    if (!base) return bc::kExitOk;
  }

  KldBase b = std::move(*base);
  if (o.chunks > 0 && o.chunks < b.n_chunk) {
    b.tokens.resize(size_t(o.chunks) * size_t(b.n_ctx));
    b.records.resize(size_t(o.chunks * b.scored_per_chunk() * b.words_per_record()));
    b.n_chunk = static_cast<int32_t>(o.chunks);
  }
  KldSummary s;
  try {
    s = score_against_base(*m, bos, b, ro,
                           [](const std::string& l) { std::fputs(l.c_str(), stdout); });
  } catch (const KldFileError& e) {
    bad_input(e.what());
  }
  std::printf("\n%s", format_llama_report(s).c_str());
  if (s.count < 100)
    std::printf(
        "(%zu scored positions: llama-perplexity prints no summary below 100)\n"
        "Mean KLD %.6f, max %.6f, same top %.3f %%, PPL %.4f vs base %.4f\n",
        s.count, s.kld.value, s.kld_max, 100 * s.same_top.value, s.ppl.value, s.ppl_base.value);
  std::vector<std::string> failed;
  if (o.max_mean_kld && !(s.kld.value <= *o.max_mean_kld))
    failed.push_back(fmt::format("mean KLD {:.3g} > {:.3g}", s.kld.value, *o.max_mean_kld));
  if (o.max_kld && !(s.kld_max <= *o.max_kld))
    failed.push_back(fmt::format("max KLD {:.3g} > {:.3g}", s.kld_max, *o.max_kld));
  if (o.min_same_top && !(s.same_top.value >= *o.min_same_top))
    failed.push_back(fmt::format("same top {:.4f} < {:.4f}", s.same_top.value, *o.min_same_top));
  if (o.out) {
    nlohmann::json j = s.to_json();
    j["base"] = *o.base;
    j["model"] = path;
    j["n_ctx"] = b.n_ctx;
    j["n_chunk"] = b.n_chunk;
    j["threads"] = o.threads;
    j["thresholds"] = {
        {"max_mean_kld", o.max_mean_kld ? nlohmann::json(*o.max_mean_kld) : nullptr},
        {"max_kld", o.max_kld ? nlohmann::json(*o.max_kld) : nullptr},
        {"min_same_top", o.min_same_top ? nlohmann::json(*o.min_same_top) : nullptr}};
    j["failed"] = failed;
    j["pass"] = failed.empty();
    write_json_atomically(j, *o.out);
  }
  for (const auto& f : failed)
    std::fprintf(stderr, "bitnet-compare kld: below threshold: %s\n", f.c_str());
  std::printf("%s\n", failed.empty() ? "PASS" : "FAIL");
  return failed.empty() ? bc::kExitOk : bc::kExitBelowThreshold;
}

}  // namespace bitnet::crossval
