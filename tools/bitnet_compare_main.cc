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

constexpr const char* kUsage = R"(usage:
  bitnet-compare [bench] -m MODEL [options]   run the peer's benchmark, print Google Benchmark JSON
  bitnet-compare find [--llama-dir DIR]       show which peer binaries would be used
  bitnet-compare convert FILE [options]       convert saved llama-bench output (json/jsonl/csv/md)
  bitnet-compare table --ours F.. --peer F..  side-by-side table of our and the peer's decode/prefill
  bitnet-compare kernels FILE                 ours vs the peers' kernels per case, from one
                                              bitnet_benches --bitnet_peer=... result file
  bitnet-compare crossval -m MODEL [options]  greedy output (and logits) agreement with the peer
  bitnet-compare logits REF.json OURS.json    cosine similarity of two golden-format logits files
  bitnet-compare kld --base FILE -m MODEL     llama-perplexity's KL-divergence check (or --write-base)

bench options:
  -m, --model PATH       GGUF model (required)
  -p N                   prefill tokens (llama-bench pp test; 0 = none)           [128]
  -n N                   generated tokens per repetition (tg test; 0 = none)       [64]
  -t T[,T...]            thread counts                                             [1]
  -r N                   repetitions                                               [5]
  --llama-dir DIR        where the peer build is (DIR/build/bin, DIR/bin, DIR); else
                         $BITNET_CPP_DIR, $LLAMA_CPP_DIR, then $PATH are searched
  --tool auto|llama-bench|llama-cli   (auto: llama-bench, else llama-cli)    [auto]
  --peer-name NAME       name in rows/context (default: what the binary is, bitnet.cpp
                         or llama.cpp, docs/crossval.md)
  --model-label LABEL    the <model> segment of row names [file name without .gguf]
  --timeout SEC          the whole peer interaction (version probes and every process);
                         then SIGTERM, SIGKILL to its group                        [600]
  --time-unit ns|us|ms|s unit of real_time/cpu_time (per token)                    [ns]
  --prompt TEXT          llama-cli fallback prompt               ["The quick brown fox"]
  --no-cnv yes|no        pass -no-cnv to llama-cli (default: if its --help lists it)
  -o FILE                write the JSON to FILE instead of stdout
crossval options: -m MODEL, -t T, --prompt TEXT, --steps N [16], --min-steps N [16],
  --min-cosine X [0.999], --bitnet-run PATH, --peer-logits FILE, --ours-logits FILE,
  --llama-dir DIR, --timeout SEC, --no-cnv yes|no, -o FILE (report JSON);
  with --text FILE also the KL-divergence check both ways (the peer's llama-perplexity base read
  by us, ours read by it): --kld-ctx N [128], --kld-chunks K [4], --max-mean-kld X [1e-4],
  --max-kld X [1e-3], --min-same-top P [0.95], --work-dir DIR (base files) [a temp dir]
table options: --ours FILE (repeatable), --peer FILE (repeatable), --merged-out FILE
exit status: 0 ok; 1 the peer failed (non-zero exit, crash, timeout, unusable output);
  2 usage error or missing model; 3 no peer binary found; 4 crossval below threshold; 130 interrupted
)";

struct Args {
  std::vector<std::string> v;
  size_t i = 0;
  bool more() const { return i < v.size(); }
  std::string next(const std::string& flag) {
    if (i >= v.size())
      throw bc::CompareError(bc::kExitUsage, fmt::format("{} needs a value", flag));
    return v[i++];
  }
};

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
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
    return;
  }
  std::ofstream out(path);
  out << text;
  out.close();
  if (!out) throw bc::CompareError(bc::kExitUsage, fmt::format("cannot write '{}'", path));
}

json read_json_file(const std::string& path) {
  const std::string text = bc::read_input_file(path);
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw bc::CompareError(bc::kExitUsage,
                           fmt::format("{}: not valid JSON at byte {}", path, e.byte));
  }
}

void log_line(const std::string& s) {
  std::fprintf(stderr, "bitnet-compare: %s\n", s.c_str());
}

int cmd_bench(Args& a) {
  bc::BenchRequest req;
  std::optional<std::string> llama_dir;
  std::string out_path, unit = "ns";
  while (a.more()) {
    const std::string f = a.next("");
    if (f == "-m" || f == "--model")
      req.model = a.next(f);
    else if (f == "-p")
      req.n_prompt = to_int(a.next(f), f);
    else if (f == "-n")
      req.n_gen = to_int(a.next(f), f);
    else if (f == "-t")
      req.threads = to_int_list(a.next(f), f);
    else if (f == "-r")
      req.repetitions = to_int(a.next(f), f);
    else if (f == "--llama-dir")
      llama_dir = a.next(f);
    else if (f == "--peer-name")
      req.peer_name = a.next(f);
    else if (f == "--model-label")
      req.model_label = bc::sanitize_label(a.next(f));
    else if (f == "--timeout")
      req.timeout = to_timeout(a.next(f), f);
    else if (f == "--time-unit")
      unit = a.next(f);
    else if (f == "--prompt")
      req.cli_prompt = a.next(f);
    else if (f == "--no-cnv")
      req.cli_no_cnv = yes_no(a.next(f), f);
    else if (f == "-o")
      out_path = a.next(f);
    else if (f == "--tool") {
      const std::string t = a.next(f);
      if (t == "auto")
        req.tool = bc::PeerTool::kAuto;
      else if (t == "llama-bench")
        req.tool = bc::PeerTool::kLlamaBench;
      else if (t == "llama-cli")
        req.tool = bc::PeerTool::kLlamaCli;
      else
        throw bc::CompareError(
            bc::kExitUsage, fmt::format("--tool: '{}' is not auto, llama-bench or llama-cli", t));
    } else {
      throw bc::CompareError(bc::kExitUsage, fmt::format("unknown option '{}' (see --help)", f));
    }
  }
  if (req.model.empty()) throw bc::CompareError(bc::kExitUsage, "-m MODEL is required");
  try {
    bc::ns_per_unit(unit);
  } catch (const std::invalid_argument& e) {
    throw bc::CompareError(bc::kExitUsage, e.what());
  }
  bc::BenchOutcome out =
      bc::run_peer_bench(req, bc::SearchInputs::from_environment(llama_dir), log_line);
  write_output(bc::to_gbench_json(out.context, out.rows, unit).dump(2) + "\n", out_path);
  return bc::kExitOk;
}

int cmd_find(Args& a) {
  std::optional<std::string> llama_dir;
  while (a.more()) {
    const std::string f = a.next("");
    if (f == "--llama-dir")
      llama_dir = a.next(f);
    else
      throw bc::CompareError(bc::kExitUsage, fmt::format("unknown option '{}'", f));
  }
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

int cmd_convert(Args& a) {
  std::string in_path, out_path, unit = "ns";
  bc::PeerContext ctx;
  std::optional<std::string> label;
  while (a.more()) {
    const std::string f = a.next("");
    if (f == "--peer-name")
      ctx.peer = a.next(f);
    else if (f == "--model-label")
      label = bc::sanitize_label(a.next(f));
    else if (f == "--time-unit")
      unit = a.next(f);
    else if (f == "-o")
      out_path = a.next(f);
    else if (!f.empty() && f[0] == '-')
      throw bc::CompareError(bc::kExitUsage, fmt::format("unknown option '{}'", f));
    else
      in_path = f;
  }
  if (in_path.empty()) throw bc::CompareError(bc::kExitUsage, "convert needs a FILE");
  bc::convert_llama_bench_to({in_path, ctx.peer, label, unit}, out_path);
  return bc::kExitOk;
}

int cmd_table(Args& a) {
  std::vector<json> ours, peer;
  std::string merged;
  while (a.more()) {
    const std::string f = a.next("");
    if (f == "--ours")
      ours.push_back(read_json_file(a.next(f)));
    else if (f == "--peer")
      peer.push_back(read_json_file(a.next(f)));
    else if (f == "--merged-out")
      merged = a.next(f);
    else
      throw bc::CompareError(bc::kExitUsage, fmt::format("unknown option '{}'", f));
  }
  if (ours.empty() || peer.empty())
    throw bc::CompareError(bc::kExitUsage, "table needs --ours FILE and --peer FILE");
  auto rows = bc::side_by_side(bc::collect_cases(ours), bc::collect_cases(peer));
  std::cout << bc::format_side_by_side(rows);
  if (!merged.empty()) write_output(bc::merge_reports(ours, peer).dump(2) + "\n", merged);
  return rows.empty() ? bc::kExitPeerFailed : bc::kExitOk;
}

int cmd_kernels(Args& a) {
  if (!a.more()) throw bc::CompareError(bc::kExitUsage, "kernels needs a result FILE");
  const std::string path = a.next("");
  if (a.more()) throw bc::CompareError(bc::kExitUsage, fmt::format("unexpected '{}'", a.next("")));
  const json doc = read_json_file(path);
  std::vector<bc::KernelTableRow> rows;
  try {
    rows = bc::kernel_table(doc);
  } catch (const std::runtime_error& e) {
    throw bc::CompareError(bc::kExitUsage, fmt::format("{}: {}", path, e.what()));
  }
  std::cout << bc::format_kernel_table(rows);
  return rows.empty() ? bc::kExitPeerFailed : bc::kExitOk;
}

int cmd_crossval(Args& a) {
  bc::CrossvalOptions o;
  std::optional<std::string> llama_dir;
  std::string out_path;
  bitnet::crossval::LiveKldOptions k;
  while (a.more()) {
    const std::string f = a.next("");
    if (f == "--text") {
      k.text_file = a.next(f);
      continue;
    } else if (f == "--kld-ctx") {
      k.n_ctx = to_int(a.next(f), f);
      continue;
    } else if (f == "--kld-chunks") {
      k.n_chunks = to_int(a.next(f), f);
      continue;
    } else if (f == "--max-mean-kld") {
      k.max_mean_kld = to_double(a.next(f), f);
      continue;
    } else if (f == "--max-kld") {
      k.max_kld = to_double(a.next(f), f);
      continue;
    } else if (f == "--min-same-top") {
      k.min_same_top = to_double(a.next(f), f);
      continue;
    } else if (f == "--work-dir") {
      k.work_dir = a.next(f);
      continue;
    }
    if (f == "-m" || f == "--model")
      o.model = a.next(f);
    else if (f == "-t")
      o.threads = to_int(a.next(f), f);
    else if (f == "--prompt")
      o.prompt = a.next(f);
    else if (f == "--steps")
      o.steps = to_int(a.next(f), f);
    else if (f == "--min-steps")
      o.min_steps = to_int(a.next(f), f);
    else if (f == "--min-cosine")
      o.min_cosine = to_double(a.next(f), f);
    else if (f == "--bitnet-run")
      o.bitnet_run = a.next(f);
    else if (f == "--peer-logits")
      o.peer_logits = a.next(f);
    else if (f == "--ours-logits")
      o.ours_logits = a.next(f);
    else if (f == "--llama-dir")
      llama_dir = a.next(f);
    else if (f == "--timeout")
      o.timeout = to_timeout(a.next(f), f);
    else if (f == "--no-cnv")
      o.cli_no_cnv = yes_no(a.next(f), f);
    else if (f == "-o")
      out_path = a.next(f);
    else
      throw bc::CompareError(bc::kExitUsage, fmt::format("unknown option '{}' (see --help)", f));
  }
  if (o.model.empty()) throw bc::CompareError(bc::kExitUsage, "-m MODEL is required");
  if (o.peer_logits.has_value() != o.ours_logits.has_value())
    throw bc::CompareError(bc::kExitUsage, "--peer-logits and --ours-logits go together");
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
  if (!out_path.empty()) write_output(report.dump(2) + "\n", out_path);
  return pass ? bc::kExitOk : bc::kExitBelowThreshold;
}

int cmd_logits(Args& a) {
  std::vector<std::string> files;
  double min_cosine = 0.999;
  while (a.more()) {
    const std::string f = a.next("");
    if (f == "--min-cosine")
      min_cosine = to_double(a.next(f), f);
    else
      files.push_back(f);
  }
  if (files.size() != 2) throw bc::CompareError(bc::kExitUsage, "logits needs REF.json OURS.json");
  bc::CosineReport r;
  try {
    r = bc::compare_logits(bc::load_logits_doc(files[0]), bc::load_logits_doc(files[1]));
  } catch (const std::exception& e) {
    throw bc::CompareError(bc::kExitUsage, e.what());
  }
  std::printf("rows %zu  cosine all %.8f  min %.8f (row %zu)  argmax agree %zu/%zu\n",
              r.per_row.size(), r.all, r.min, r.min_row, r.argmax_agree, r.per_row.size());
  for (size_t i = 0; i < r.per_row.size(); ++i) std::printf("  row %2zu  %.8f\n", i, r.per_row[i]);
  return r.min >= min_cosine ? bc::kExitOk : bc::kExitBelowThreshold;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) a.v.push_back(argv[i]);
  for (const auto& s : a.v)
    if (s == "-h" || s == "--help") {
      std::fputs(kUsage, stdout);
      std::fputs(bitnet::crossval::kKldUsage, stdout);
      return 0;
    }
  bc::install_interrupt_handlers();
  std::string cmd = "bench";
  if (a.more() && !a.v[0].empty() && a.v[0][0] != '-') cmd = a.next("");
  try {
    if (cmd == "bench") return cmd_bench(a);
    if (cmd == "find") return cmd_find(a);
    if (cmd == "convert") return cmd_convert(a);
    if (cmd == "table") return cmd_table(a);
    if (cmd == "kernels") return cmd_kernels(a);
    if (cmd == "crossval") return cmd_crossval(a);
    if (cmd == "logits") return cmd_logits(a);
    if (cmd == "kld") return bitnet::crossval::run_kld_command({a.v.begin() + a.i, a.v.end()});
    throw bc::CompareError(bc::kExitUsage, fmt::format("unknown command '{}' (see --help)", cmd));
  } catch (const bc::CompareError& e) {
    std::fprintf(stderr, "bitnet-compare: %s%s", e.what(),
                 std::string(e.what()).ends_with("\n") ? "" : "\n");
    if (e.code() == bc::kExitUsage && std::string(e.what()).find("unknown") != std::string::npos)
      std::fputs("run bitnet-compare --help for usage\n", stderr);
    return e.code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet-compare: error: %s\n", e.what());
    return bc::kExitPeerFailed;
  }
}
