// bitnet-compare: run the reference implementations (llama.cpp / bitnet.cpp) on the same GGUF and
// report their numbers as Google Benchmark JSON; cross-validate outputs; print side-by-side tables.
// A thin CLI over bitnet_compare; docs/compare.md is the manual.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "bitnet/cli/app.h"
#include "bitnet/cli/output.h"
#include "bitnet/compare/convert.h"
#include "bitnet/compare/crossval.h"
#include "bitnet/compare/discovery.h"
#include "bitnet/compare/input_file.h"
#include "bitnet/compare/kernel_table.h"
#include "bitnet/compare/peer_output.h"
#include "bitnet/compare/peer_probe.h"
#include "bitnet/compare/peer_runner.h"
#include "bitnet/compare/process.h"
#include "bitnet/compare/side_by_side.h"
#include "bitnet/crossval/kld_command.h"
#include "bitnet/crossval/live_kld.h"
#include "bitnet/results/gbench_json.h"

namespace bc = bitnet::compare;
using nlohmann::json;

namespace {

int to_int(const std::string& s, const std::string& flag) {
  try {
    size_t pos = 0;
    int v = std::stoi(s, &pos);
    if (pos == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw bc::CompareError(bc::kExitUsage, fmt::format("{}: '{}' is not an integer", flag, s));
}

double to_double(const std::string& s, const std::string& flag) {
  try {
    size_t pos = 0;
    double v = std::stod(s, &pos);
    if (pos == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw bc::CompareError(bc::kExitUsage, fmt::format("{}: '{}' is not a number", flag, s));
}

// Seconds in (0, 1 week]: 0, negative, NaN and 1e18 (which overflows the millisecond count) are
// usage errors, not "no timeout" or an instant kill.
std::chrono::milliseconds to_timeout(const std::string& s, const std::string& flag) {
  const double v = to_double(s, flag);
  if (!(v > 0) || !(v <= 7 * 24 * 3600.0))
    throw bc::CompareError(
        bc::kExitUsage,
        fmt::format("{}: '{}' must be a number of seconds in (0, 604800]", flag, s));
  return std::chrono::milliseconds(std::max<long long>(1, static_cast<long long>(v * 1000)));
}

std::vector<int> to_int_list(const std::string& s, const std::string& flag) {
  std::vector<int> out;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, ',');) {
    int v = to_int(part, flag);
    if (v < 1) throw bc::CompareError(bc::kExitUsage, fmt::format("{}: {} must be >= 1", flag, v));
    out.push_back(v);
  }
  if (out.empty()) throw bc::CompareError(bc::kExitUsage, flag + ": empty list");
  return out;
}

bool yes_no(const std::string& s, const std::string& flag) {
  if (s == "yes") return true;
  if (s == "no") return false;
  throw bc::CompareError(bc::kExitUsage, fmt::format("{}: '{}' is not yes or no", flag, s));
}

void write_output(const std::string& text, const std::string& path) {
  try {
    bitnet::cli::write_output(path, text);
  } catch (const bitnet::cli::InputError& e) {
    throw bc::CompareError(bc::kExitInput, e.what());
  }
}

json read_json_file(const std::string& path) {
  const std::string text = bc::read_input_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw bc::CompareError(bc::kExitInput,
                           fmt::format("{}: not valid JSON at byte {}", path, e.byte));
  }
}

void log_line(const std::string& s) {
  std::fprintf(stderr, "bitnet-compare: %s\n", s.c_str());
}

// The options of every subcommand, as given (strings: our validators above convert them, with
// the messages the docs quote).
struct Given {
  std::string model, n_prompt, n_gen, threads, reps, llama_dir, tool, peer_name, model_label,
      timeout, time_unit = "ns", prompt, no_cnv, out;
  std::string file;                     // convert, kernels
  std::vector<std::string> ours, peer;  // table
  std::string merged;                   // table
  std::string steps, min_steps, min_cosine, bitnet_run, peer_logits, ours_logits;  // crossval
  std::string text, kld_ctx, kld_chunks, max_mean_kld, max_kld, min_same_top, work_dir;
  std::vector<std::string> files;  // logits
};

bool given(const std::string& s) {
  return !s.empty();
}

int cmd_bench(const Given& g) {
  bc::BenchRequest req;
  req.model = g.model;
  if (given(g.n_prompt)) req.n_prompt = to_int(g.n_prompt, "-p");
  if (given(g.n_gen)) req.n_gen = to_int(g.n_gen, "-n");
  if (given(g.threads)) req.threads = to_int_list(g.threads, "-t");
  if (given(g.reps)) req.repetitions = to_int(g.reps, "-r");
  if (given(g.peer_name)) req.peer_name = g.peer_name;
  if (given(g.model_label)) req.model_label = bc::sanitize_label(g.model_label);
  if (given(g.timeout)) req.timeout = to_timeout(g.timeout, "--timeout");
  if (given(g.prompt)) req.cli_prompt = g.prompt;
  if (given(g.no_cnv)) req.cli_no_cnv = yes_no(g.no_cnv, "--no-cnv");
  if (given(g.tool)) {
    if (g.tool == "auto")
      req.tool = bc::PeerTool::kAuto;
    else if (g.tool == "llama-bench")
      req.tool = bc::PeerTool::kLlamaBench;
    else if (g.tool == "llama-cli")
      req.tool = bc::PeerTool::kLlamaCli;
    else
      throw bc::CompareError(
          bc::kExitUsage,
          fmt::format("--tool: '{}' is not auto, llama-bench or llama-cli", g.tool));
  }
  if (req.model.empty()) throw bc::CompareError(bc::kExitUsage, "-m MODEL is required");
  try {
    bc::ns_per_unit(g.time_unit);
  } catch (const std::invalid_argument& e) {
    throw bc::CompareError(bc::kExitUsage, e.what());
  }
  const std::optional<std::string> llama_dir =
      given(g.llama_dir) ? std::optional(g.llama_dir) : std::nullopt;
  bc::BenchOutcome out =
      bc::run_peer_bench(req, bc::SearchInputs::from_environment(llama_dir), log_line);
  write_output(bc::to_gbench_json(out.context, out.rows, g.time_unit).dump(2) + "\n", g.out);
  return bc::kExitOk;
}

int cmd_find(const Given& g) {
  const std::optional<std::string> llama_dir =
      given(g.llama_dir) ? std::optional(g.llama_dir) : std::nullopt;
  auto where = bc::SearchInputs::from_environment(llama_dir);
  std::vector<std::string> names = {"llama-bench", "llama-cli"};
  std::vector<bc::SearchResult> results;
  bool any = false;
  for (const auto& n : names) {
    results.push_back(bc::find_peer_binary(n, where));
    const auto& r = results.back();
    if (r.found) {
      any = true;
      const bc::PeerProbe p = bc::probe_peer(r.found->binary);
      std::string flags;
      for (const auto& [f, ok] : p.flags)
        if (ok) flags += (flags.empty() ? "" : " ") + f;
      std::printf("%s: %s (via %s, peer %s)\n  version: %s\n  flags: %s\n", n.c_str(),
                  r.found->binary.c_str(), r.found->origin.c_str(), p.flavour.c_str(),
                  p.version.c_str(), flags.empty() ? "(none listed)" : flags.c_str());
    } else {
      std::printf("%s: not found\n", n.c_str());
    }
  }
  if (!any) throw bc::CompareError(bc::kExitPeerNotFound, bc::not_found_message(names, results));
  return bc::kExitOk;
}

int cmd_convert(const Given& g) {
  const std::string& in_path = g.file;
  if (in_path.empty()) throw bc::CompareError(bc::kExitUsage, "convert needs a FILE");
  bc::ConvertRequest req;
  req.in_path = in_path;
  if (given(g.peer_name)) req.peer = g.peer_name;
  if (given(g.model_label)) req.model_label = bc::sanitize_label(g.model_label);
  req.time_unit = g.time_unit;
  bc::convert_llama_bench_to(req, g.out);
  return bc::kExitOk;
}

int cmd_table(const Given& g) {
  std::vector<json> ours, peer;
  for (const auto& f : g.ours) ours.push_back(read_json_file(f));
  for (const auto& f : g.peer) peer.push_back(read_json_file(f));
  if (ours.empty() || peer.empty())
    throw bc::CompareError(bc::kExitUsage, "table needs --ours FILE and --peer FILE");
  auto rows = bc::side_by_side(bc::collect_cases(ours), bc::collect_cases(peer));
  std::cout << bc::format_side_by_side(rows);
  if (!g.merged.empty()) write_output(bc::merge_reports(ours, peer).dump(2) + "\n", g.merged);
  return rows.empty() ? bc::kExitPeerFailed : bc::kExitOk;
}

int cmd_kernels(const Given& g) {
  if (g.file.empty()) throw bc::CompareError(bc::kExitUsage, "kernels needs a result FILE");
  const json doc = read_json_file(g.file);
  std::vector<bc::KernelTableRow> rows;
  try {
    rows = bc::kernel_table(doc);
  } catch (const std::runtime_error& e) {
    throw bc::CompareError(bc::kExitInput, fmt::format("{}: {}", g.file, e.what()));
  }
  std::cout << bc::format_kernel_table(rows);
  return rows.empty() ? bc::kExitPeerFailed : bc::kExitOk;
}

int cmd_crossval(const Given& g) {
  bc::CrossvalOptions o;
  bitnet::crossval::LiveKldOptions k;
  k.text_file = g.text;
  if (given(g.kld_ctx)) k.n_ctx = to_int(g.kld_ctx, "--kld-ctx");
  if (given(g.kld_chunks)) k.n_chunks = to_int(g.kld_chunks, "--kld-chunks");
  if (given(g.max_mean_kld)) k.max_mean_kld = to_double(g.max_mean_kld, "--max-mean-kld");
  if (given(g.max_kld)) k.max_kld = to_double(g.max_kld, "--max-kld");
  if (given(g.min_same_top)) k.min_same_top = to_double(g.min_same_top, "--min-same-top");
  k.work_dir = g.work_dir;
  o.model = g.model;
  if (given(g.threads)) o.threads = to_int(g.threads, "-t");
  if (given(g.prompt)) o.prompt = g.prompt;
  if (given(g.steps)) o.steps = to_int(g.steps, "--steps");
  if (given(g.min_steps)) o.min_steps = to_int(g.min_steps, "--min-steps");
  if (given(g.min_cosine)) o.min_cosine = to_double(g.min_cosine, "--min-cosine");
  if (given(g.bitnet_run)) o.bitnet_run = g.bitnet_run;
  if (given(g.peer_logits)) o.peer_logits = g.peer_logits;
  if (given(g.ours_logits)) o.ours_logits = g.ours_logits;
  if (given(g.timeout)) o.timeout = to_timeout(g.timeout, "--timeout");
  if (given(g.no_cnv)) o.cli_no_cnv = yes_no(g.no_cnv, "--no-cnv");
  if (o.model.empty()) throw bc::CompareError(bc::kExitUsage, "-m MODEL is required");
  if (o.peer_logits.has_value() != o.ours_logits.has_value())
    throw bc::CompareError(bc::kExitUsage, "--peer-logits and --ours-logits go together");
  const std::optional<std::string> llama_dir =
      given(g.llama_dir) ? std::optional(g.llama_dir) : std::nullopt;
  const auto where = bc::SearchInputs::from_environment(llama_dir);
  bc::CrossvalReport r = bc::run_crossval(o, where, log_line);
  std::fputs(r.summary.c_str(), stderr);
  json report = r.to_json();
  bool pass = r.pass();
  if (!k.text_file.empty()) {
    k.model = o.model;
    k.threads = o.threads;
    k.timeout = o.timeout;
    if (k.work_dir.empty())
      k.work_dir = (std::filesystem::temp_directory_path() /
                    fmt::format("bitnet-crossval-{}", static_cast<long>(getpid())))
                       .string();
    const bitnet::crossval::LiveKldReport kr = bitnet::crossval::run_live_kld(k, where, log_line);
    std::fputs(kr.summary.c_str(), stderr);
    report["kld"] = kr.to_json();
    pass = pass && kr.pass;
    std::fputs(pass ? "crossval: PASS\n" : "crossval: FAIL\n", stderr);
  }
  report["pass"] = pass;
  if (!g.out.empty()) write_output(report.dump(2) + "\n", g.out);
  return pass ? bc::kExitOk : bc::kExitBelowThreshold;
}

int cmd_logits(const Given& g) {
  const double min_cosine = given(g.min_cosine) ? to_double(g.min_cosine, "--min-cosine") : 0.999;
  if (g.files.size() != 2)
    throw bc::CompareError(bc::kExitUsage, "logits needs REF.json OURS.json");
  bc::CosineReport r;
  try {
    r = bc::compare_logits(bc::load_logits_doc(g.files[0]), bc::load_logits_doc(g.files[1]));
  } catch (const std::exception& e) {
    throw bc::CompareError(bc::kExitInput, e.what());
  }
  std::printf("rows %zu  cosine all %.8f  min %.8f (row %zu)  argmax agree %zu/%zu\n",
              r.per_row.size(), r.all, r.min, r.min_row, r.argmax_agree, r.per_row.size());
  for (size_t i = 0; i < r.per_row.size(); ++i) std::printf("  row %2zu  %.8f\n", i, r.per_row[i]);
  return r.min >= min_cosine ? bc::kExitOk : bc::kExitBelowThreshold;
}

// `kld`: the crossval library parses its own argument list (bitnet/crossval/kld_command.h);
// CLI11 gives it the help, the --opt=value form and the unknown-option check, then every option
// given is passed on under the name that library reads.
int cmd_kld(const CLI::App& sub) {
  std::vector<std::string> args;
  for (const CLI::Option* o : sub.get_options()) {
    if (o->count() == 0 || o->get_name() == "--help") continue;
    args.push_back(o->get_name());
    args.push_back(o->as<std::string>());
  }
  return bitnet::crossval::run_kld_command(args);
}

constexpr const char* kFooter =
    R"(Exit status: 0 ok; 1 the peer failed (non-zero exit, crash, timeout, unusable output);
2 usage error; 3 an input is missing or bad (the model, a result file, or no peer binary
found); 4 crossval, logits or kld below a threshold; 130 interrupted (docs/cli.md).)";

CLI::Option* value(CLI::App* app, const std::string& name, std::string& into,
                   const std::string& help, const std::string& type = "") {
  CLI::Option* o = app->add_option(name, into, help);
  if (!type.empty()) o->type_name(type);
  return o;
}

void add_peer_options(CLI::App* sub, Given& g) {
  value(sub, "--llama-dir", g.llama_dir,
        "where the peer build is (DIR/build/bin, DIR/bin, DIR); else\n"
        "$BITNET_CPP_DIR, $LLAMA_CPP_DIR, then $PATH are searched",
        "DIR");
  value(sub, "--timeout", g.timeout,
        "the whole peer interaction (version probes and every process);\n"
        "then SIGTERM, SIGKILL to its group [600]",
        "SEC");
  value(sub, "--no-cnv", g.no_cnv, "pass -no-cnv to llama-cli (default: if its --help lists it)",
        "yes|no");
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = bitnet::cli;
  CLI::App app(
      "Runs the reference implementations (llama.cpp / bitnet.cpp) on the same GGUF and reports\n"
      "their numbers as Google Benchmark JSON; cross-validates outputs; prints side-by-side\n"
      "tables (docs/compare.md). Without a subcommand: bench.",
      "bitnet-compare");
  cli::configure(app);
  app.require_subcommand(1);
  Given g;

  CLI::App* bench = app.add_subcommand(
      "bench", "run the peer's benchmark, print Google Benchmark JSON (the default)");
  value(bench, "-m,--model", g.model, "GGUF model (required)", "PATH");
  value(bench, "-p", g.n_prompt, "prefill tokens (llama-bench pp test; 0 = none) [128]", "N");
  value(bench, "-n", g.n_gen, "generated tokens per repetition (tg test; 0 = none) [64]", "N");
  value(bench, "-t", g.threads, "thread counts [1]", "T[,T...]");
  value(bench, "-r", g.reps, "repetitions [5]", "N");
  add_peer_options(bench, g);
  value(bench, "--tool", g.tool, "auto: llama-bench, else llama-cli [auto]",
        "auto|llama-bench|llama-cli");
  value(bench, "--peer-name", g.peer_name,
        "name in rows/context (default: what the binary is, bitnet.cpp\n"
        "or llama.cpp, docs/crossval.md)",
        "NAME");
  value(bench, "--model-label", g.model_label,
        "the <model> segment of row names [file name without .gguf]", "LABEL");
  value(bench, "--time-unit", g.time_unit, "unit of real_time/cpu_time (per token) [ns]",
        "ns|us|ms|s");
  value(bench, "--prompt", g.prompt, "llama-cli fallback prompt [\"The quick brown fox\"]", "TEXT");
  value(bench, "-o", g.out, "write the JSON to FILE instead of stdout", "FILE");

  CLI::App* find = app.add_subcommand("find", "show which peer binaries would be used");
  value(find, "--llama-dir", g.llama_dir, "where the peer build is", "DIR");

  CLI::App* convert = app.add_subcommand(
      "convert", "convert saved llama-bench output (json/jsonl/csv/md) to Google Benchmark JSON");
  value(convert, "FILE", g.file, "llama-bench output");
  value(convert, "--peer-name", g.peer_name, "name in rows/context", "NAME");
  value(convert, "--model-label", g.model_label, "the <model> segment of row names", "LABEL");
  value(convert, "--time-unit", g.time_unit, "unit of real_time/cpu_time [ns]", "ns|us|ms|s");
  value(convert, "-o", g.out, "write the JSON to FILE instead of stdout", "FILE");

  CLI::App* table =
      app.add_subcommand("table", "side-by-side table of our and the peer's decode/prefill");
  table->add_option("--ours", g.ours, "our result file (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  table->add_option("--peer", g.peer, "the peer's result file (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  value(table, "--merged-out", g.merged, "also write both as one merged JSON", "FILE");

  CLI::App* kernels = app.add_subcommand(
      "kernels",
      "ours vs the peers' kernels per case, from one bitnet_benches --bitnet_peer=... result");
  value(kernels, "FILE", g.file, "bitnet_benches JSON result");

  CLI::App* crossval =
      app.add_subcommand("crossval", "greedy output (and logits) agreement with the peer");
  value(crossval, "-m,--model", g.model, "GGUF model (required)", "PATH");
  value(crossval, "-t", g.threads, "threads [1]", "T");
  value(crossval, "--prompt", g.prompt, "the prompt [\"The quick brown fox\"]", "TEXT");
  value(crossval, "--steps", g.steps, "tokens generated on each side [16]", "N");
  value(crossval, "--min-steps", g.min_steps, "identical greedy output for N steps [16]", "N");
  value(crossval, "--min-cosine", g.min_cosine, "threshold on every logits row [0.999]", "X");
  value(crossval, "--bitnet-run", g.bitnet_run,
        "our bitnet-run (default: next to bitnet-compare, then $PATH)", "PATH");
  value(crossval, "--peer-logits", g.peer_logits, "golden-format logits from the peer", "FILE");
  value(crossval, "--ours-logits", g.ours_logits, "golden-format logits from our engine", "FILE");
  add_peer_options(crossval, g);
  value(crossval, "-o", g.out, "write the report JSON to FILE", "FILE");
  value(crossval, "--text", g.text,
        "also the KL-divergence check both ways (the peer's llama-perplexity\n"
        "base read by us, ours read by it) on this text",
        "FILE");
  value(crossval, "--kld-ctx", g.kld_ctx, "tokens per chunk [128]", "N");
  value(crossval, "--kld-chunks", g.kld_chunks, "chunks [4]", "K");
  value(crossval, "--max-mean-kld", g.max_mean_kld, "threshold [1e-5]", "X");
  value(crossval, "--max-kld", g.max_kld, "threshold [1e-4]", "X");
  value(crossval, "--min-same-top", g.min_same_top, "threshold [0.995]", "P");
  value(crossval, "--work-dir", g.work_dir, "where the base files go [a temp dir]", "DIR");

  CLI::App* logits = app.add_subcommand(
      "logits", "cosine similarity of two golden-format logits files (REF.json OURS.json)");
  logits->add_option("FILES", g.files, "REF.json OURS.json");
  value(logits, "--min-cosine", g.min_cosine, "threshold on every row [0.999]", "X");

  CLI::App* kld = app.add_subcommand(
      "kld",
      "llama-perplexity's KL-divergence check against a base file (or --write-base one)\n"
      "(docs/crossval.md)");
  std::string ignored;  // kld's values are passed on by name (cmd_kld)
  value(kld, "--base", ignored, "a base file (llama-perplexity --kl-divergence-base FILE)", "FILE");
  value(kld, "-m,--model", ignored, "GGUF path or fixture spec our engine runs (required)",
        "MODEL");
  value(kld, "-t", ignored, "threads [1]", "T");
  value(kld, "-b", ignored, "tokens per prefill batch [n_ctx]", "B");
  value(kld, "--numerics", ignored, "whose rounding rules the engine follows [auto]",
        "auto|llama.cpp|bitnet.cpp");
  value(kld, "--max-mean-kld", ignored, "exit 4 if the mean KLD is above X", "X");
  value(kld, "--max-kld", ignored, "exit 4 if the largest KLD is above X", "X");
  value(kld, "--min-same-top", ignored, "exit 4 if the same-top fraction is below P (0..1)", "P");
  value(kld, "-o", ignored,
        "JSON report (mean_kld, max_kld, same_top_fraction, ppl, ppl_base, n_scored, ...)", "FILE");
  value(kld, "--write-base", ignored,
        "instead: write OUR log-probs as a base file for llama-perplexity\n"
        "--kl-divergence; tokens and n_ctx from --base, or from --tokens FILE -c N",
        "OUT");
  value(kld, "--tokens", ignored, "a file of token ids (spaces/commas/newlines)", "FILE");
  value(kld, "-c", ignored, "tokens per chunk (with --tokens)", "N");
  value(kld, "--chunks", ignored, "use only the first K chunks", "K");
  // Every option of kld is its own variable in kld_command.cc; here they only need parsing.
  for (CLI::Option* o : kld->get_options())
    if (o->get_name() != "--help") o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  for (CLI::App* a : {&app, bench, find, convert, table, kernels, crossval, logits, kld})
    a->footer(kFooter);

  // `bitnet-compare -m MODEL ...` is `bitnet-compare bench -m MODEL ...`.
  std::vector<char*> args(argv, argv + argc);
  static char bench_name[] = "bench";
  if (argc > 1 && argv[1][0] == '-' && std::string(argv[1]) != "-h" &&
      std::string(argv[1]) != "--help" && std::string(argv[1]) != "--version")
    args.insert(args.begin() + 1, bench_name);

  bc::install_interrupt_handlers();
  return cli::run(
      app, static_cast<int>(args.size()), args.data(),
      [&] {
        if (bench->parsed()) return cmd_bench(g);
        if (find->parsed()) return cmd_find(g);
        if (convert->parsed()) return cmd_convert(g);
        if (table->parsed()) return cmd_table(g);
        if (kernels->parsed()) return cmd_kernels(g);
        if (crossval->parsed()) return cmd_crossval(g);
        if (logits->parsed()) return cmd_logits(g);
        return cmd_kld(*kld);
      },
      [](const std::exception& e) {
        if (const auto* c = dynamic_cast<const bc::CompareError*>(&e)) return int{c->code()};
        return int{bc::kExitPeerFailed};
      });
}
