// bitnet-run: greedy generation with the bitnet_model engine, timed like llama-cli.
//   bitnet-run -m MODEL|SPEC (-p TEXT | -f FILE | --ids "1,2,3") -n N -t THREADS --ctx C
//              [--warmup W] [--json]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "bitnet/cli/values.h"
#include "bitnet/engine/engine.h"
#include "bitnet/fixtures/fixtures.h"
#include "bitnet/fixtures/model_view.h"
#include "bitnet/gguf/gguf.h"
#include "bitnet/text/json_bytes.h"
#include "bitnet/tokenizer/prompt.h"
#include "prompt_source.h"

namespace {

namespace cli = bitnet::cli;

struct Args {
  bitnet::tools::ModelPromptOptions in;
  std::string ids_text, prompt_tokens_text, n_predict_text, threads_text, ctx_text, batch_text;
  std::string kv_text, warmup_text;
  CLI::Option* ids_opt = nullptr;
  CLI::Option* prompt_tokens_opt = nullptr;
  std::vector<int32_t> prompt;  // --ids
  int64_t prompt_tokens = 0;
  int64_t n_predict = 16;
  int threads = 1;
  int64_t ctx = 0;
  int64_t batch = 64;
  int64_t warmup = 0;  // untimed decode tokens before the prompt (then the cache is emptied)
  bitnet::model::KvType kv = bitnet::model::KvType::kF16;
  bool json = false;
  bool profile = false;
};

// Default context when the model asks for more (see run()).
constexpr int64_t kDefaultCtxCap = 4096;

std::vector<int32_t> parse_ids(const std::string& s) {
  std::vector<int32_t> ids;
  std::string tok;
  std::istringstream in(s);
  while (std::getline(in, tok, ',')) {
    std::istringstream words(tok);
    std::string w;
    while (words >> w)
      ids.push_back(static_cast<int32_t>(cli::parse_int("--ids", w, 0, INT32_MAX)));
  }
  return ids;
}

// Our own validators on the values CLI11 collected (their messages name option and value).
void check_args(Args& a) {
  const std::size_t prompts =
      a.in.prompts_given() + a.ids_opt->count() + a.prompt_tokens_opt->count();
  bitnet::tools::require_model_and_one_prompt(a.in, prompts,
                                              "-p TEXT, -f FILE, --ids IDS and --prompt-tokens L");
  if (a.ids_opt->count() > 0) {
    a.prompt = parse_ids(a.ids_text);
    if (a.prompt.empty()) throw cli::UsageError("--ids: no token ids");
  }
  if (a.prompt_tokens_opt->count() > 0)
    a.prompt_tokens = cli::parse_int("--prompt-tokens", a.prompt_tokens_text, 1, int64_t{1} << 22);
  if (!a.n_predict_text.empty())
    a.n_predict = cli::parse_int("--n-predict", a.n_predict_text, 0, int64_t{1} << 22);
  if (!a.threads_text.empty())
    a.threads = static_cast<int>(cli::parse_int("--threads", a.threads_text, 1, 1024));
  if (!a.ctx_text.empty()) a.ctx = cli::parse_int("--ctx", a.ctx_text, 1, int64_t{1} << 22);
  if (!a.batch_text.empty()) a.batch = cli::parse_int("--batch", a.batch_text, 1, 4096);
  if (!a.warmup_text.empty())
    a.warmup = cli::parse_int("--warmup", a.warmup_text, 0, int64_t{1} << 22);
  if (!a.kv_text.empty())
    a.kv = cli::parse_choice("--kv", a.kv_text, {"f16", "f32"}) == "f16"
               ? bitnet::model::KvType::kF16
               : bitnet::model::KvType::kF32;
}

// Peak and current resident memory from /proc/self/status (kB -> bytes); 0 when unavailable.
struct Mem {
  uint64_t peak_rss = 0, rss_anon = 0, rss_file = 0;
};
Mem read_mem() {
  Mem m;
  std::ifstream in("/proc/self/status");
  std::string key;
  uint64_t kb;
  while (in >> key) {
    if (key == "VmHWM:" && in >> kb)
      m.peak_rss = kb * 1024;
    else if (key == "RssAnon:" && in >> kb)
      m.rss_anon = kb * 1024;
    else if (key == "RssFile:" && in >> kb)
      m.rss_file = kb * 1024;
  }
  return m;
}

// CPU seconds this process used so far (all threads): on a shared machine, wall time / CPU time
// shows how much of the run the threads actually got a core.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void perf_line(const char* what, double ms, int64_t n, const char* unit) {
  std::fprintf(
      stderr,
      "bitnet_perf_context_print: %16s = %10.2f ms / %5lld %-6s (%8.2f ms per token, %8.2f "
      "tokens per second)\n",
      what, ms, static_cast<long long>(n), unit, n ? ms / n : 0.0, ms > 0 ? 1e3 * n / ms : 0.0);
}

int run(const Args& a) {
  using namespace bitnet::model;
  const auto t_load = std::chrono::steady_clock::now();
  const std::string path = bitnet::fixtures::resolve_path(a.in.model);
  const Model model = Model::from_view(bitnet::fixtures::model_view(path));
  int64_t ctx = a.ctx;
  if (ctx == 0) {
    // A file's context_length alone (2^22 in a 580 KB file) must not size a multi-GB KV cache:
    // without --ctx, use what the run needs, at least kDefaultCtxCap, at most the file's length.
    const int64_t need = static_cast<int64_t>(a.prompt.size()) + a.prompt_tokens + a.n_predict;
    const int64_t train = model.hparams().n_ctx_train;
    if (train > kDefaultCtxCap) {
      ctx = std::min(train, std::max(kDefaultCtxCap, need));
      std::fprintf(stderr,
                   "bitnet-run: note: the model's context_length is %lld; using --ctx %lld "
                   "(pass --ctx to choose)\n",
                   static_cast<long long>(train), static_cast<long long>(ctx));
    }
  }
  Engine engine(
      model,
      EngineOptions{.n_threads = a.threads, .n_ctx = ctx, .n_batch = a.batch, .kv_type = a.kv});
  const double load_ms = ms_since(t_load);
  const HParams& hp = model.hparams();

  const bitnet::tools::PromptSource source = a.in.source();
  const bitnet::tools::PromptText prompt_in = bitnet::tools::load_prompt_text(path, source);
  std::vector<int32_t> prompt = source.kind ? prompt_in.ids : a.prompt;
  for (int64_t i = 0; i < a.prompt_tokens; ++i)  // fixed, spread over the vocab, no BOS
    prompt.push_back(static_cast<int32_t>((1 + i * 7919) % hp.n_vocab));

  // Warm-up: decode tokens untimed, so the first touch of every weight page (page faults of the
  // mapping) is not counted in the prompt or decode numbers; then an empty cache again.
  if (a.warmup > engine.n_ctx())
    throw cli::UsageError("--warmup " + std::to_string(a.warmup) + " exceeds the context (" +
                          std::to_string(engine.n_ctx()) + " positions)");
  const auto t_warmup = std::chrono::steady_clock::now();
  for (int64_t k = 0; k < a.warmup; ++k)
    (void)engine.forward(prompt.empty() ? 0 : prompt[static_cast<size_t>(k) % prompt.size()]);
  const double warmup_ms = a.warmup > 0 ? ms_since(t_warmup) : 0.0;
  if (a.warmup > 0) engine.reset();

  const double prompt_cpu0 = cpu_seconds();
  const auto t_prompt = std::chrono::steady_clock::now();
  auto logits = engine.forward(prompt);
  const double prompt_ms = ms_since(t_prompt);
  const double prompt_cpu_s = cpu_seconds() - prompt_cpu0;
  const Profile prompt_profile = engine.profile();
  engine.reset_profile();

  std::vector<int32_t> out;
  double eval_ms = 0.0;
  const double cpu0 = cpu_seconds();
  // Time to first token: from the start of loading to the first generated token (load, warm-up,
  // prompt tokenization and prefill, the first token's pick); none without -n.
  double ttft_ms = -1.0;
  for (int64_t k = 0; k < a.n_predict; ++k) {
    out.push_back(Engine::argmax(logits));
    if (k == 0) ttft_ms = ms_since(t_load);
    if (k + 1 == a.n_predict) break;
    const auto t0 = std::chrono::steady_clock::now();
    logits = engine.forward(out.back());
    eval_ms += ms_since(t0);
  }
  const double eval_cpu_s = cpu_seconds() - cpu0;
  const int64_t eval_runs = a.n_predict > 0 ? a.n_predict - 1 : 0;
  const Profile& prof = engine.profile();
  const Mem mem = read_mem();
  const auto& pieces = model.pieces();

  if (a.json) {
    nlohmann::json j;
    j["model"] = path;
    j["arch"] = hp.arch;
    j["n_threads"] = a.threads;
    j["n_ctx"] = engine.n_ctx();
    j["prompt"] = prompt;
    j["generated"] = out;
    if (!pieces.empty()) {  // bytes, not necessarily UTF-8: text for people, hex for programs
      std::string text;
      nlohmann::json pj = nlohmann::json::array(), ph = nlohmann::json::array();
      for (int32_t t : out) {
        const std::string piece = piece_text(pieces[t]);
        text += piece;
        pj.push_back(bitnet::text::utf8_with_replacement(piece));
        ph.push_back(bitnet::text::to_hex(piece));
      }
      j["text"] = bitnet::text::utf8_with_replacement(text);
      j["text_hex"] = bitnet::text::to_hex(text);
      j["text_is_utf8"] = bitnet::text::is_valid_utf8(text);
      j["pieces"] = pj;
      j["pieces_hex"] = ph;
    }
    j["timings"] = {
        {"load_ms", load_ms},
        {"warmup_ms", warmup_ms},
        {"warmup_tokens", a.warmup},
        {"time_to_first_token_ms", ttft_ms >= 0 ? nlohmann::json(ttft_ms) : nlohmann::json()},
        {"prompt_ms", prompt_ms},
        {"prompt_tokens", prompt.size()},
        {"eval_ms", eval_ms},
        {"eval_runs", eval_runs},
        {"prompt_tokens_per_second", prompt_ms > 0 ? 1e3 * prompt.size() / prompt_ms : 0},
        {"eval_tokens_per_second", eval_ms > 0 ? 1e3 * eval_runs / eval_ms : 0}};
    j["weight_bytes_per_token"] = model.weight_bytes_per_token();
    j["kv_cache_bytes"] = engine.kv_bytes();
    j["scratch_bytes"] = engine.scratch_bytes();
    j["memory"] = {{"peak_rss_bytes", mem.peak_rss},
                   {"rss_anon_bytes", mem.rss_anon},
                   {"rss_file_bytes", mem.rss_file}};
    if (a.profile) {
      for (const auto* p : {&prompt_profile, &prof}) {
        nlohmann::json pj;
        for (int i = 0; i < Profile::kCount; ++i) pj[Profile::name(i)] = p->seconds[i] * 1e3;
        pj["tokens"] = p->tokens;
        j[p == &prof ? "profile_decode_ms" : "profile_prefill_ms"] = pj;
      }
    }
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("generated ids:");
    for (int32_t t : out) std::printf(" %d", t);
    std::printf("\n");
    if (prompt_in.tokenizer) {
      std::printf("text: %s\n", bitnet::tokenizer::pieces_text(*prompt_in.tokenizer, out).c_str());
    } else if (!pieces.empty()) {
      std::string s;
      for (int32_t t : out) s += piece_text(pieces[t]);
      std::printf("text: %s\n", s.c_str());
    }
    std::fflush(stdout);
    std::fprintf(stderr, "\nbitnet_perf_context_print: %16s = %10.2f ms\n", "load time", load_ms);
    if (a.warmup > 0)
      std::fprintf(stderr,
                   "bitnet_perf_context_print: %16s = %10.2f ms / %5lld tokens (untimed decode, "
                   "cache emptied after)\n",
                   "warm-up time", warmup_ms, static_cast<long long>(a.warmup));
    perf_line("prompt eval time", prompt_ms, static_cast<int64_t>(prompt.size()), "tokens");
    perf_line("eval time", eval_ms, eval_runs, "runs");
    std::fprintf(stderr, "bitnet_perf_context_print: %16s = %10.2f ms / %5lld tokens\n",
                 "total time", prompt_ms + eval_ms,
                 static_cast<long long>(prompt.size() + eval_runs));
    if (ttft_ms >= 0)
      std::fprintf(stderr,
                   "bitnet_perf_context_print: %16s = %10.2f ms (load + warm-up + prompt of %lld "
                   "tokens + first token)\n",
                   "first token", ttft_ms, static_cast<long long>(prompt.size()));
    for (const auto& [what, cpu_s, ms] : {std::tuple{"prompt eval", prompt_cpu_s, prompt_ms},
                                          std::tuple{"eval", eval_cpu_s, eval_ms}})
      std::fprintf(stderr,
                   "bitnet_cpu: %s used %.2f CPU-s for %.2f s wall with %d threads (%.0f %% of the "
                   "cores it asked for)\n",
                   what, cpu_s, ms / 1e3, a.threads,
                   ms > 0 ? 100.0 * cpu_s / (a.threads * ms / 1e3) : 0.0);
    std::fprintf(stderr,
                 "bitnet_memory: peak RSS %.1f MiB (anon %.1f MiB, file-backed %.1f MiB); KV cache "
                 "%.1f MiB reserved, scratch %.2f MiB; weights streamed per token %.1f MiB\n",
                 mem.peak_rss / 1048576.0, mem.rss_anon / 1048576.0, mem.rss_file / 1048576.0,
                 engine.kv_bytes() / 1048576.0, engine.scratch_bytes() / 1048576.0,
                 model.weight_bytes_per_token() / 1048576.0);
    if (a.profile) {
      for (const auto* p : {&prompt_profile, &prof}) {
        const bool dec = p == &prof;
        const double per = p->tokens ? 1e3 / p->tokens : 0.0;
        std::fprintf(stderr, "bitnet_profile (%s, %lld tokens, ms per token):\n",
                     dec ? "decode" : "prefill", static_cast<long long>(p->tokens));
        const double total = p->total();
        for (int i = 0; i < Profile::kCount; ++i)
          std::fprintf(stderr, "  %-18s %9.3f ms  %5.1f %%\n", Profile::name(i),
                       p->seconds[i] * per, total > 0 ? 100.0 * p->seconds[i] / total : 0.0);
        std::fprintf(stderr, "  %-18s %9.3f ms\n", "total", total * per);
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Greedy generation with the bitnet_model engine, timed like llama-cli.",
               "bitnet-run");
  cli::configure(app);
  app.footer(
      "Exit status: 0 ok, 1 error (context, engine), 2 usage error, 3 the model or FILE is\n"
      "missing or bad (4, 5: a fixture spec that needs the network or fails its digest)\n"
      "(docs/cli.md).");
  Args a;
  a.in.add_to(app, "prompt text from FILE (one trailing newline dropped, as llama-cli)");
  a.ids_opt = app.add_option("--ids", a.ids_text,
                             "prompt token ids, separated by spaces or commas (used as given)");
  a.prompt_tokens_opt = app.add_option("--prompt-tokens", a.prompt_tokens_text,
                                       "a fixed pseudo-random prompt of L tokens")
                            ->type_name("L");
  app.add_option("-n,--n-predict", a.n_predict_text, "tokens to generate (default 16)")
      ->type_name("N");
  app.add_option("-t,--threads", a.threads_text, "threads (default 1)")->type_name("T");
  app.add_option("-c,--ctx", a.ctx_text,
                 "context size (default: the model's context_length, at most 4096 unless\n"
                 "the prompt and -n need more)")
      ->type_name("C");
  app.add_option("-b,--batch", a.batch_text, "prefill batch size (default 64)")->type_name("B");
  app.add_option("--kv", a.kv_text, "KV cache type (default f16, as llama.cpp)")
      ->type_name("f16|f32");
  app.add_option("--warmup", a.warmup_text,
                 "decode W tokens untimed before the prompt, then empty the cache (the first\n"
                 "touch of the weights is then not in the prompt or eval times; default 0)")
      ->type_name("W");
  app.add_flag("--json", a.json, "print one JSON object on stdout instead of text");
  app.add_flag("--profile", a.profile, "print where the time went (per-token breakdown)");
  return cli::run(
      app, argc, argv,
      [&] {
        check_args(a);
        return run(a);
      },
      bitnet::tools::model_error_code);
}
