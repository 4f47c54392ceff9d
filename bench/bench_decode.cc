// decode/<model>/pos:P/threads:T and prefill/<model>/tokens:128/threads:T: whole-model forward
// passes on the decode engine. Default models: the synthetic 2B4T shape in TQ2_0 and I2_S (tiny
// ones in --bitnet_quick), generated once into the fixture cache; --bitnet_full (or
// --bitnet_models=LIST) adds the synthetic models of every real shape (fixtures::
// benchmark_specs); any real model via --bitnet_model or BITNET_GGUF. Models are resolved before
// the run, only when a case of theirs passes the filter, and recorded in the context (spec, path,
// SHA-256, shape). A model whose architecture the engine does not run is not generated: its rows
// fail with that error.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/context.h"
#include "bitnet/bench/filter.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/probe.h"
#include "bitnet/bench/residency.h"
#include "bitnet/bench/shapes.h"
#include "bitnet/engine/engine.h"
#include "bitnet/engine/model.h"
#include "bitnet/fixtures/fixtures.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/fixtures/sha256.h"
#include "bitnet/fixtures/synthetic.h"
#include "bitnet/results/naming.h"
#include "decode_prompt.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

using model::Engine;
using model::EngineOptions;
using model::Model;

// Decode cases run at positions pos .. pos + kDriftTokens - 1, then rewind.
constexpr int64_t kDriftTokens = 8;

struct DecodeModel {
  std::string spec;
  std::string label;
  int64_t n_ctx_hint = 0;  // synthetic: the shape's context; 0 = unknown before loading
  std::string path, sha256;
  std::unique_ptr<Model> model;
  std::vector<float> ref_logits;  // scalar-kernel logits of kCheckToken at position 0
  std::vector<int32_t> prompt;    // --bitnet_prompt_file, tokenized; empty = seeded tokens
  std::string unsupported;        // why the engine cannot run it (its rows fail with this)
  std::mutex mu;
};

std::vector<std::unique_ptr<DecodeModel>>& models() {
  static std::vector<std::unique_ptr<DecodeModel>> m;
  return m;
}

std::vector<std::string> default_specs(const Options& o) {
  // Seeds are explicit: BITNET_SEED must not make the 2B4T generator run again (~1.2 GB each).
  if (o.mode == Mode::kQuick && o.model_shapes.empty())
    return {"synthetic:tiny:tq2_0@1", "synthetic:tiny:i2_s@1"};
  std::vector<std::string> shapes = o.model_shapes;
  if (shapes.empty() && o.mode == Mode::kFull)
    for (const auto& m : fixtures::real_model_shapes()) shapes.push_back(m.name);
  if (shapes.empty()) shapes = {"2b4t"};
  // 2B4T first (the suite's reference model), then the shapes in size order.
  std::stable_partition(shapes.begin(), shapes.end(), [](const auto& n) { return n == "2b4t"; });
  std::vector<std::string> s;
  for (const auto& name : shapes)
    for (auto& spec : fixtures::benchmark_specs(fixtures::find_shape(name),
                                                o.mode == Mode::kFull && name == "2b4t"))
      s.push_back(std::move(spec));
  return s;
}

std::string strip_gguf(std::string name) {
  if (name.size() > 5 && name.ends_with(".gguf")) name.resize(name.size() - 5);
  return name;
}

void describe(DecodeModel& m) {
  fixtures::Spec spec = fixtures::parse_spec(m.spec);
  if (spec.kind == fixtures::Spec::Kind::kSynthetic) {
    m.label = sanitize_label(strip_gguf(fixtures::synthetic_file_name(spec.synthetic)));
    m.n_ctx_hint = fixtures::find_shape(spec.synthetic.shape).n_ctx;
  } else if (spec.kind == fixtures::Spec::Kind::kPath) {
    m.label = sanitize_label(strip_gguf(std::filesystem::path(spec.path).filename().string()));
  } else {
    m.label = sanitize_label(m.spec.empty() ? "default" : m.spec);
  }
}

EngineOptions engine_options(int threads, int64_t n_ctx, int64_t n_batch) {
  EngineOptions o;
  o.n_threads = threads;
  o.n_ctx = n_ctx;
  o.n_batch = n_batch;
  return o;
}

int32_t check_token(const Model& m) {
  return static_cast<int32_t>(m.hparams().n_vocab / 3);
}

// Tokens fed to the timed passes: seeded, inside the vocabulary.
std::vector<int32_t> tokens_for(const Model& m, int64_t n, const std::string& stream) {
  Rng rng(run_options().seed, stream);
  std::vector<int32_t> t(static_cast<size_t>(n));
  for (auto& x : t)
    x = static_cast<int32_t>(rng.next() % static_cast<uint64_t>(m.hparams().n_vocab));
  return t;
}

// Moves the engine to `pos` cached tokens. Attention cost depends only on how many tokens are
// cached, not on what they are, so when the engine can seek we skip computing them; otherwise
// they are prefilled (untimed).
template <typename E>
void move_to(E& eng, int64_t pos, const std::vector<int32_t>& fill) {
  if constexpr (requires(E & e) { e.seek(int64_t{}); }) {
    eng.seek(pos);
  } else {
    eng.reset();
    if (pos > 0) eng.forward(std::span<const int32_t>(fill.data(), static_cast<size_t>(pos)));
  }
}

// The scalar reference's logits for the check token (BITNET_ISA=scalar for the duration).
const std::vector<float>& reference_logits(DecodeModel& m) {
  std::lock_guard lock(m.mu);
  if (!m.ref_logits.empty()) return m.ref_logits;
  const char* old = std::getenv("BITNET_ISA");
  const std::string saved = old ? old : "";
  setenv("BITNET_ISA", "scalar", 1);
  try {
    Engine ref(*m.model, engine_options(1, 8, 1));
    auto l = ref.forward(check_token(*m.model));
    m.ref_logits.assign(l.begin(), l.end());
  } catch (...) {
    old ? setenv("BITNET_ISA", saved.c_str(), 1) : unsetenv("BITNET_ISA");
    throw;
  }
  old ? setenv("BITNET_ISA", saved.c_str(), 1) : unsetenv("BITNET_ISA");
  return m.ref_logits;
}

// Logits of the check token from `eng` (reset first) against the reference: the ternary kernels
// are bit-exact, but the dense lm_head/attention dots may sum in another order (AVX2 vs scalar),
// so the check is a normalized error bound plus the same argmax.
std::string check_logits(Engine& eng, DecodeModel& m) {
  const std::vector<float>& ref = reference_logits(m);
  eng.reset();
  auto got = eng.forward(check_token(*m.model));
  double err = 0, norm = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) return "logit " + std::to_string(i) + " is not finite";
    err += (static_cast<double>(got[i]) - ref[i]) * (static_cast<double>(got[i]) - ref[i]);
    norm += static_cast<double>(ref[i]) * ref[i];
  }
  const double nmse = norm > 0 ? err / norm : err;
  if (nmse > 1e-6 || Engine::argmax(got) != Engine::argmax(ref)) {
    char buf[200];
    std::snprintf(
        buf, sizeof buf,
        "logits differ from the scalar reference: NMSE %.3g (limit 1e-6), argmax %d vs %d", nmse,
        Engine::argmax(got), Engine::argmax(ref));
    return buf;
  }
  return {};
}

void set_counters(benchmark::State& st, const Engine& eng, const DecodeModel& m, int threads,
                  double tokens_per_iter, double weight_passes_per_iter) {
  using C = benchmark::Counter;
  const double bytes = static_cast<double>(m.model->weight_bytes_per_token());
  st.counters["tokens_per_second"] = C(tokens_per_iter, C::kIsIterationInvariantRate);
  st.counters["weight_bytes_per_token"] = C(bytes);
  // Weights stream once per token in decode and once per batch in prefill.
  const double bytes_per_iter = bytes * weight_passes_per_iter;
  const double bw =
      MachineLimits::instance().read_bandwidth_for(static_cast<size_t>(bytes), threads, false);
  st.counters["bw_frac"] = C(bytes_per_iter / bw, C::kIsIterationInvariantRate);
  // Where the time went (fractions of the profiled forward time).
  const auto& p = eng.profile();
  const double total = p.total();
  if (total > 0)
    for (int part = 0; part < model::Profile::kCount; ++part)
      st.counters[std::string("frac_") + model::Profile::name(part)] = C(p.seconds[part] / total);
}

// The model file in memory (and written back) before timing; returns its resident fraction.
double prepare_residency(const DecodeModel& m) {
  if (m.path.empty()) return -1;
  make_resident(m.path);
  return resident_fraction(m.path);
}

// Residency counters: resident_frac before timing, major_faults of the timed region; a row that
// read from disk while timed says so in its label.
void set_residency(benchmark::State& st, double resident, long faults) {
  using C = benchmark::Counter;
  st.counters["resident_frac"] = C(resident);
  st.counters["major_faults"] = C(static_cast<double>(faults));
  if (faults > 0)
    st.SetLabel("disk reads: " + std::to_string(faults) +
                " major page faults while timed (model not resident)");
}

void run_decode(benchmark::State& st, DecodeModel& m, int64_t pos, int threads) {
  try {
    if (!m.unsupported.empty()) throw std::runtime_error(m.unsupported);
    if (!m.model) throw std::runtime_error("model " + m.spec + " was not prepared");
    const int64_t n_ctx = m.model->hparams().n_ctx_train;
    if (pos + kDriftTokens > n_ctx)
      throw std::runtime_error("position " + std::to_string(pos) + " + " +
                               std::to_string(kDriftTokens) + " exceeds the model's context " +
                               std::to_string(n_ctx));
    Engine eng(*m.model, engine_options(threads, pos + kDriftTokens, 64));
    // From a prompt: its real KV entries (seek keeps them) and its greedy continuation.
    const auto fill =
        m.prompt.empty() ? tokens_for(*m.model, pos + 1, "decode/fill/" + m.label) : m.prompt;
    const auto toks = m.prompt.empty()
                          ? tokens_for(*m.model, kDriftTokens, "decode/tokens/" + m.label)
                          : greedy_continuation(eng, m.prompt, kDriftTokens);
    move_to(eng, pos, fill);
    eng.forward(toks[0]);  // warm-up
    move_to(eng, pos, fill);
    eng.reset_profile();
    const double resident = prepare_residency(m);
    const long faults0 = major_faults();
    int64_t i = 0;
    for (auto _ : st) {
      if (eng.n_past() == pos + kDriftTokens) {
        st.PauseTiming();
        move_to(eng, pos, fill);
        st.ResumeTiming();
      }
      benchmark::DoNotOptimize(eng.forward(toks[static_cast<size_t>(i++ % kDriftTokens)]).data());
    }
    const long faults = major_faults() - faults0;
    set_counters(st, eng, m, threads, 1.0, 1.0);
    set_residency(st, resident, faults);
    if (std::string err = check_logits(eng, m); !err.empty()) st.SkipWithError(err.c_str());
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

void run_prefill(benchmark::State& st, DecodeModel& m, int64_t n_tokens, int threads) {
  try {
    if (!m.unsupported.empty()) throw std::runtime_error(m.unsupported);
    if (!m.model) throw std::runtime_error("model " + m.spec + " was not prepared");
    Engine eng(*m.model, engine_options(threads, n_tokens, n_tokens));
    const auto toks =
        m.prompt.empty() ? tokens_for(*m.model, n_tokens, "prefill/" + m.label) : m.prompt;
    eng.forward(std::span<const int32_t>(toks));  // warm-up
    eng.reset();
    const double resident = prepare_residency(m);
    const long faults0 = major_faults();
    for (auto _ : st) {
      eng.reset();  // O(1): empties the KV cache (and the profile: it shows the last pass)
      benchmark::DoNotOptimize(eng.forward(std::span<const int32_t>(toks)).data());
    }
    const long faults = major_faults() - faults0;
    set_counters(st, eng, m, threads, static_cast<double>(n_tokens), 1.0);
    set_residency(st, resident, faults);
    if (std::string err = check_logits(eng, m); !err.empty()) st.SkipWithError(err.c_str());
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

}  // namespace

void register_decode_benchmarks() {
  const Options& o = run_options();
  auto& ms = models();
  ms.clear();
  for (const std::string& spec : o.models.empty() ? default_specs(o) : o.models) {
    auto m = std::make_unique<DecodeModel>();
    m->spec = spec;
    describe(*m);  // throws fixtures::Error for a malformed spec
    // A synthetic model of an arch the engine does not run would be generated (gigabytes, for
    // the big shapes) only to be refused: its rows fail at once with the reason instead.
    if (const auto sp = fixtures::parse_spec(spec);
        sp.kind == fixtures::Spec::Kind::kSynthetic &&
        !fixtures::engine_supports_arch(sp.synthetic.arch))
      m->unsupported = "arch " + sp.synthetic.arch + " not supported by the engine (" + spec +
                       "; it runs " + fixtures::engine_archs() + ")";
    // A prompt's length names its cases, so the model must be at hand to tokenize it now.
    if (!o.prompt_file.empty() && m->unsupported.empty())
      m->prompt = prompt_tokens_for(fixtures::resolve(spec).path, o.prompt_file);
    ms.push_back(std::move(m));
  }
  std::vector<int64_t> positions = decode_positions();
  if (o.mode == Mode::kQuick) positions = {16};
  for (auto& mp : ms) {
    DecodeModel* m = mp.get();
    const auto prompt_len = static_cast<int64_t>(m->prompt.size());
    for (int t : o.threads) {
      for (int64_t pos : m->prompt.empty() ? positions : std::vector<int64_t>{prompt_len}) {
        if (m->n_ctx_hint && pos + kDriftTokens > m->n_ctx_hint) {
          registration_notes().push_back("decode " + m->label + " pos:" + std::to_string(pos) +
                                         " skipped: beyond the model's context (" +
                                         std::to_string(m->n_ctx_hint) + ")");
          continue;
        }
        CaseName name{
            "decode", {m->label}, {{"pos", std::to_string(pos)}, {"threads", std::to_string(t)}},
            "",       "",         ""};
        registered_names().push_back(name.str());
        benchmark::RegisterBenchmark(name.str().c_str(), [m, pos, t](benchmark::State& st) {
          run_decode(st, *m, pos, t);
        })->UseRealTime();
      }
      const int64_t n_prefill = m->prompt.empty() ? kPrefillTokens : prompt_len;
      CaseName name{"prefill",
                    {m->label},
                    {{"tokens", std::to_string(n_prefill)}, {"threads", std::to_string(t)}},
                    "",
                    "",
                    ""};
      registered_names().push_back(name.str());
      benchmark::RegisterBenchmark(name.str().c_str(), [m, t, n_prefill](benchmark::State& st) {
        run_prefill(st, *m, n_prefill, t);
      })->UseRealTime();
    }
  }
}

void prepare_decode_models(const std::string& filter) {
  for (auto& mp : models()) {
    DecodeModel& m = *mp;
    bool wanted = false;
    for (const std::string& n : registered_names())
      if ((n.starts_with("decode/" + m.label + "/") || n.starts_with("prefill/" + m.label + "/")) &&
          filter_matches(filter, n + "/real_time"))
        wanted = true;
    if (!wanted) continue;
    if (!m.unsupported.empty()) {
      std::fprintf(stderr, "bitnet_benches: %s\n", m.unsupported.c_str());
      add_context("model_" + m.label + "_unsupported", m.unsupported);
      continue;
    }
    std::fprintf(stderr, "bitnet_benches: resolving model %s ...\n", m.spec.c_str());
    fixtures::Resolved r = fixtures::resolve(m.spec);
    m.path = r.path;
    m.sha256 = r.sha256.empty() ? fixtures::sha256_file(r.path) : r.sha256;
    try {
      m.model = std::make_unique<Model>(Model::from_view(bitnet::fixtures::model_view(r.path)));
    } catch (const std::exception& e) {  // a tensor type or layout the engine does not run
      m.unsupported = "model " + m.spec + " not supported by the engine: " + e.what();
      std::fprintf(stderr, "bitnet_benches: %s\n", m.unsupported.c_str());
      add_context("model_" + m.label + "_unsupported", m.unsupported);
      continue;
    }
    const auto& hp = m.model->hparams();
    const std::string k = "model_" + m.label + "_";
    add_context(k + "spec", m.spec);
    add_context(k + "path", m.path);
    add_context(k + "sha256", m.sha256);
    add_context(k + "source", r.source);
    add_context(
        k + "shape",
        hp.arch + " n_embd=" + std::to_string(hp.n_embd) + " n_ff=" + std::to_string(hp.n_ff) +
            " n_layer=" + std::to_string(hp.n_layer) + " n_head=" + std::to_string(hp.n_head) +
            " n_head_kv=" + std::to_string(hp.n_head_kv) +
            " n_vocab=" + std::to_string(hp.n_vocab) + " n_ctx=" + std::to_string(hp.n_ctx_train) +
            " proj=" + type_label(m.model->layers().at(0).wq.type) +
            " embd=" + type_label(m.model->tok_embd().type));
    add_context(k + "weight_bytes_per_token", std::to_string(m.model->weight_bytes_per_token()));
    if (!m.prompt.empty()) {
      add_context("prompt_file", run_options().prompt_file);
      add_context(k + "prompt_tokens", std::to_string(m.prompt.size()));
    }
  }
}

}  // namespace bitnet::bench
