#include "bitnet/compare/peer_runner.h"

#include <openssl/evp.h>
#include <algorithm>
#include <chrono>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "bitnet/bench/residency.h"
#include "bitnet/compare/peer_probe.h"
#include "bitnet/compare/process.h"

namespace bitnet::compare {
namespace fs = std::filesystem;

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw CompareError(kExitInput, fmt::format("cannot open model file '{}' to hash it", path));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw CompareError(kExitUsage, "OpenSSL SHA-256 initialisation failed");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw CompareError(kExitInput, fmt::format("read error while hashing '{}'", path));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

Measurement measurement_from_bench(const BenchTest& t) {
  if (t.n_prompt > 0 && t.n_gen > 0)
    throw ParseError(
        fmt::format("llama-bench test pp{}+tg{}: combined tests are not supported; "
                    "run prefill (-p) and decode (-n) separately",
                    t.n_prompt, t.n_gen));
  Measurement m;
  m.phase = t.n_gen > 0 ? "decode" : "prefill";
  m.threads = t.n_threads;
  m.tokens = t.n_gen > 0 ? t.n_gen : t.n_prompt;
  if (!t.samples_ns.empty()) {
    for (double ns : t.samples_ns) m.ns_per_token.push_back(ns / m.tokens);
    m.tokens_per_second = t.samples_ts;
  } else {
    m.mean_tps = t.avg_ts;
    m.stddev_tps = t.stddev_ts;
    if (t.avg_ns > 0) {
      m.mean_ns_per_token = t.avg_ns / m.tokens;
      m.stddev_ns_per_token = t.stddev_ns / m.tokens;
    }
  }
  return m;
}

std::vector<Measurement> measurements_from_bench(const std::vector<BenchTest>& tests) {
  std::vector<Measurement> rows;
  for (const auto& t : tests) rows.push_back(measurement_from_bench(t));
  return rows;
}

void add_cli_run(std::vector<Measurement>& rows, const CliTimings& t, int threads) {
  auto row = [&](const char* phase, int tokens) -> Measurement& {
    for (auto& m : rows)
      if (m.phase == phase && m.threads == threads && m.tokens == tokens) return m;
    Measurement m;
    m.phase = phase;
    m.threads = threads;
    m.tokens = tokens;
    rows.push_back(std::move(m));
    return rows.back();
  };
  if (t.prompt_tokens > 0 && t.prompt_eval_ms > 0) {
    Measurement& p = row("prefill", t.prompt_tokens);
    p.ns_per_token.push_back(t.prompt_eval_ms * 1e6 / t.prompt_tokens);
    p.tokens_per_second.push_back(t.prompt_tokens * 1e3 / t.prompt_eval_ms);
  }
  if (t.eval_runs > 0 && t.eval_ms > 0) {
    // llama-cli's decode row: the first generated token comes from the prompt batch, so N
    // requested tokens give N-1 eval runs. Rows are keyed by requested tokens (runs + 1).
    Measurement& d = row("decode", t.eval_runs + 1);
    d.ns_per_token.push_back(t.eval_ms * 1e6 / t.eval_runs);
    d.tokens_per_second.push_back(t.eval_runs * 1e3 / t.eval_ms);
  }
}

std::vector<std::string> llama_bench_argv(const std::string& binary, const BenchRequest& req) {
  std::string threads;
  for (int t : req.threads) {
    if (!threads.empty()) threads += ',';
    threads += std::to_string(t);
  }
  return {binary,
          "-m",
          req.model,
          "-p",
          std::to_string(req.n_prompt),
          "-n",
          std::to_string(req.n_gen),
          "-t",
          threads,
          "-r",
          std::to_string(req.repetitions),
          "-o",
          "json"};
}

std::vector<std::string> llama_cli_argv(const std::string& binary, const BenchRequest& req,
                                        int threads, bool no_cnv) {
  std::vector<std::string> a = {binary,
                                "-m",
                                req.model,
                                "-p",
                                req.cli_prompt,
                                "-n",
                                std::to_string(req.n_gen),
                                "-t",
                                std::to_string(threads),
                                "--temp",
                                "0",
                                "--seed",
                                "42"};
  if (no_cnv) a.push_back("-no-cnv");  // current llama-cli starts a chat otherwise
  return a;
}

namespace {

// --timeout bounds the whole peer interaction (version probes, every process): what is left.
struct Deadline {
  std::chrono::steady_clock::time_point at;
  std::chrono::milliseconds left(const char* what) const {
    const auto d = std::chrono::duration_cast<std::chrono::milliseconds>(
        at - std::chrono::steady_clock::now());
    if (d.count() <= 0)
      throw CompareError(kExitPeerFailed,
                         std::string("peer failed: --timeout reached before ") + what);
    return d;
  }
};

RunResult run_checked(const std::vector<std::string>& argv, const BenchRequest& req,
                      const std::function<void(const std::string&)>& log,
                      const Deadline& deadline) {
  if (log) log("running: " + quote_argv(argv));
  RunOptions o;
  o.argv = argv;
  o.timeout = deadline.left(argv[0].c_str());
  o.kill_grace = req.kill_grace;
  RunResult r = run_process(o);
  if (r.status == RunStatus::kInterrupted)
    throw CompareError(kExitInterrupted, "interrupted: " + describe_failure(r, argv, 5));
  if (!r.ok()) {
    std::string msg = "peer failed: " + describe_failure(r, argv);
    if (auto e = find_load_error(r.stderr_text))
      msg += "cause: the peer could not load the model: " + *e + "\n";
    throw CompareError(kExitPeerFailed, msg);
  }
  return r;
}

// Adds one peer process's residency to a row: faults summed, the lowest resident fraction kept
// (-1 from resident_fraction, unknown, leaves the fraction unset).
void set_residency(Measurement& m, double resident, long faults) {
  if (resident >= 0) m.resident_frac = std::min(m.resident_frac.value_or(1.0), resident);
  if (faults >= 0) m.major_faults = m.major_faults.value_or(0) + faults;
}

void check_complete(const std::vector<Measurement>& rows, const BenchRequest& req,
                    const std::string& tool) {
  for (int t : req.threads) {
    for (const char* phase : {"prefill", "decode"}) {
      const bool wanted = std::string(phase) == "prefill" ? req.n_prompt > 0 : req.n_gen > 0;
      if (!wanted) continue;
      bool have = false;
      for (const auto& m : rows) have |= m.phase == phase && m.threads == t;
      if (!have)
        throw CompareError(
            kExitPeerFailed,
            fmt::format("{} output has no {} result for {} thread(s)", tool, phase, t));
    }
  }
}

}  // namespace

BenchOutcome run_peer_bench(const BenchRequest& req, const SearchInputs& where,
                            const std::function<void(const std::string&)>& log) {
  if (!fs::is_regular_file(req.model))
    throw CompareError(kExitInput,
                       fmt::format("model file '{}' does not exist or is not a file", req.model));
  if (req.threads.empty() || req.repetitions < 1 || req.n_prompt < 0 || req.n_gen < 0 ||
      req.n_prompt + req.n_gen == 0)
    throw CompareError(kExitUsage, "need threads, repetitions >= 1 and at least one of -p/-n > 0");
  const Deadline deadline{std::chrono::steady_clock::now() + req.timeout};

  SearchResult bench_hit, cli_hit;
  if (req.tool != PeerTool::kLlamaCli) bench_hit = find_peer_binary("llama-bench", where);
  const bool use_bench = bench_hit.found.has_value();
  if (!use_bench && req.tool != PeerTool::kLlamaBench)
    cli_hit = find_peer_binary("llama-cli", where);
  if (!use_bench && !cli_hit.found) {
    std::vector<std::string> names;
    std::vector<SearchResult> results;
    if (req.tool != PeerTool::kLlamaCli)
      names.push_back("llama-bench"), results.push_back(bench_hit);
    if (req.tool != PeerTool::kLlamaBench) names.push_back("llama-cli"), results.push_back(cli_hit);
    throw CompareError(kExitPeerNotFound, not_found_message(names, results));
  }
  if (!use_bench && req.tool == PeerTool::kAuto && log)
    log("llama-bench not found; falling back to llama-cli (greedy, one process per repetition)");

  const Found& found = use_bench ? *bench_hit.found : *cli_hit.found;
  BenchOutcome out;
  PeerContext& ctx = out.context;
  // The flavour comes from the binary itself, whichever way it was found (peer_probe.h).
  const PeerProbe probe = probe_peer(found.binary, std::nullopt, deadline.at);
  ctx.peer = req.peer_name.value_or(probe.flavour);
  ctx.tool = use_bench ? "llama-bench" : "llama-cli";
  ctx.binary = found.binary.string();
  ctx.model_path = fs::absolute(req.model).string();
  ctx.model_label = req.model_label.value_or(default_model_label(req.model));
  if (req.hash_model) ctx.model_sha256 = file_sha256(req.model);
  const auto probe_timeout = [&] {
    return std::min<std::chrono::milliseconds>(std::chrono::seconds(10),
                                               deadline.left("the --version probe"));
  };
  PeerVersion v = query_version(found.binary, probe_timeout());
  if (!v.build_number) {
    // llama-bench has no --version (it prints its usage and exits 1); its sibling llama-cli does.
    const fs::path sibling = found.binary.parent_path() / "llama-cli";
    if (sibling != found.binary && fs::is_regular_file(sibling)) {
      PeerVersion sv = query_version(sibling, probe_timeout());
      if (sv.build_number) v = sv;
    }
  }
  ctx.version = v.build_number ? v.raw.substr(0, v.raw.find('\n'))
                               : "unknown (--version gave no version line)";
  if (v.commit) ctx.build_commit = *v.commit;
  if (v.build_number) ctx.build_number = *v.build_number;
  if (log)
    log(fmt::format("peer: {} {} (found via {}), version: {}", ctx.peer, ctx.binary, found.origin,
                    ctx.version.empty() ? "unknown" : ctx.version));

  if (use_bench) {
    auto argv = llama_bench_argv(ctx.binary, req);
    ctx.command = quote_argv(argv);
    const double resident = bench::resident_fraction(req.model);
    RunResult r = run_checked(argv, req, log, deadline);
    std::vector<BenchTest> tests;
    try {
      tests = parse_llama_bench(r.stdout_text, BenchFormat::kJson);
      out.rows = measurements_from_bench(tests);
    } catch (const ParseError& e) {
      throw CompareError(kExitPeerFailed,
                         fmt::format("peer output unusable: {}\nfirst lines of its stdout:\n{}",
                                     e.what(), r.stdout_text.substr(0, 400)));
    }
    // Each row must carry (at least) one sample per repetition asked for: a row without them
    // would be reported with a spread it never measured.
    for (size_t i = 0; i < tests.size(); ++i)
      if (tests[i].samples_ns.size() < static_cast<size_t>(req.repetitions))
        throw CompareError(
            kExitPeerFailed,
            fmt::format("peer output unusable: llama-bench json test [{}]: field 'samples_ns' has "
                        "{} values, expected {} (-r {})",
                        i, tests[i].samples_ns.size(), req.repetitions, req.repetitions));
    // One process ran every row: each carries its faults and the residency before it.
    for (Measurement& m : out.rows) set_residency(m, resident, r.major_faults);
    const BenchTest& t0 = tests.front();
    if (!t0.build_commit.empty()) ctx.build_commit = t0.build_commit;
    if (t0.build_number) ctx.build_number = t0.build_number;
    ctx.cpu_info = t0.cpu_info;
    ctx.model_type = t0.model_type;
    check_complete(out.rows, req, "llama-bench");
    return out;
  }

  const bool no_cnv = req.cli_no_cnv.value_or(probe.cli_needs_no_cnv());
  // Repetitions outermost, thread counts inside: slow drift hits every thread count alike.
  for (int rep = 0; rep < req.repetitions; ++rep) {
    for (int t : req.threads) {
      auto argv = llama_cli_argv(ctx.binary, req, t, no_cnv);
      if (ctx.command.empty()) ctx.command = quote_argv(argv);
      const double resident = bench::resident_fraction(req.model);
      RunResult r = run_checked(argv, req, log, deadline);
      try {
        CliTimings timings = parse_cli_timings(r.stderr_text);
        if (req.n_gen > 1 && timings.eval_runs == 0)
          throw ParseError("llama-cli generated no tokens after the first (eval time / 0 runs)");
        add_cli_run(out.rows, timings, t);
        // One process per repetition: a row sums their faults and keeps the lowest residency.
        for (Measurement& m : out.rows)
          if (m.threads == t) set_residency(m, resident, r.major_faults);
      } catch (const ParseError& e) {
        throw CompareError(kExitPeerFailed, fmt::format("peer output unusable: {}\n{}", e.what(),
                                                        describe_failure(r, argv, 10)));
      }
    }
  }
  check_complete(out.rows, req, "llama-cli");
  return out;
}

}  // namespace bitnet::compare
