#include "bitnet/crossval/live_kld.h"

#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "bitnet/compare/peer_probe.h"
#include "bitnet/compare/peer_runner.h"
#include "bitnet/compare/process.h"
#include "bitnet/crossval/kld_engine.h"
#include "bitnet/fixtures/model_view.h"

namespace bitnet::crossval {
namespace fs = std::filesystem;
namespace bc = bitnet::compare;

PeerKldPrintout parse_peer_kld_printout(const std::string& text) {
  PeerKldPrintout p;
  std::smatch m;
  static const std::regex kMean(R"(Mean\s+KLD:\s+(-?[0-9.]+))");
  static const std::regex kMax(R"(Maximum KLD:\s+(-?[0-9.]+))");
  static const std::regex kTop(R"(Same top p:\s+([0-9.]+))");
  if (std::regex_search(text, m, kMean)) p.mean_kld = std::stod(m[1].str());
  if (std::regex_search(text, m, kMax)) p.max_kld = std::stod(m[1].str());
  if (std::regex_search(text, m, kTop)) p.same_top = std::stod(m[1].str()) / 100.0;
  return p;
}

nlohmann::json LiveKldReport::to_json() const {
  auto opt = [](const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json();
  };
  return {{"ours_on_peer_base", ours_on_peer_base.to_json()},
          {"peer_on_our_base",
           {{"mean_kld", opt(peer_on_our_base.mean_kld)},
            {"max_kld", opt(peer_on_our_base.max_kld)},
            {"same_top_fraction", opt(peer_on_our_base.same_top)}}},
          {"peer_base", peer_base},
          {"our_base", our_base},
          {"peer_binary", peer_binary},
          {"peer_version", peer_version},
          {"pass", pass}};
}

namespace {

bc::RunResult run_peer(const std::vector<std::string>& argv, const LiveKldOptions& o,
                       const std::function<void(const std::string&)>& log) {
  if (log) log("running: " + bc::quote_argv(argv));
  bc::RunOptions ro;
  ro.argv = argv;
  ro.timeout = o.timeout;
  bc::RunResult r = bc::run_process(ro);
  if (r.status == bc::RunStatus::kInterrupted)
    throw bc::CompareError(bc::kExitInterrupted, "interrupted");
  if (!r.ok())
    throw bc::CompareError(bc::kExitPeerFailed, "peer failed: " + bc::describe_failure(r, argv));
  return r;
}

}  // namespace

LiveKldReport run_live_kld(const LiveKldOptions& o, const bc::SearchInputs& where,
                           const std::function<void(const std::string&)>& log) {
  if (!fs::is_regular_file(o.text_file))
    throw bc::CompareError(bc::kExitInput, fmt::format("text file '{}' not found", o.text_file));
  bc::SearchResult hit = bc::find_peer_binary("llama-perplexity", where);
  if (!hit.found)
    throw bc::CompareError(bc::kExitPeerNotFound,
                           bc::not_found_message({"llama-perplexity"}, {hit}));
  const bc::PeerProbe probe = bc::probe_peer(hit.found->binary);
  bool listed_any = false;
  for (const auto& [f, ok] : probe.flags) listed_any = listed_any || ok;
  if (listed_any && !probe.accepts("--kl-divergence-base"))
    throw bc::CompareError(bc::kExitPeerFailed,
                           probe.binary + " does not list --kl-divergence-base in --help");
  LiveKldReport rep;
  rep.peer_binary = probe.binary;
  rep.peer_version = probe.version;
  fs::create_directories(o.work_dir);
  rep.peer_base = (fs::path(o.work_dir) / "peer.kld").string();
  rep.our_base = (fs::path(o.work_dir) / "ours.kld").string();
  const std::string n_ctx = std::to_string(o.n_ctx);
  // 1. The peer's base, read by us.
  run_peer({probe.binary, "-m", o.model, "-f", o.text_file, "-c", n_ctx, "-b", n_ctx, "--chunks",
            std::to_string(o.n_chunks), "-t", std::to_string(o.threads), "--kl-divergence-base",
            rep.peer_base},
           o, log);
  KldBase base;
  try {
    base = read_kld_base(rep.peer_base);
  } catch (const KldFileError& e) {
    throw bc::CompareError(bc::kExitPeerFailed,
                           std::string("peer's base file unusable: ") + e.what());
  }
  const model::Model m = model::Model::from_view(fixtures::model_view(o.model));
  const BosRule bos = read_bos_rule(o.model);
  const ChunkRunOptions ro{.threads = o.threads};
  rep.ours_on_peer_base = score_against_base(m, bos, base, ro);
  // 2. Our base for the same tokens, read by the peer.
  write_base_from_engine(m, bos, base.n_ctx, base.tokens, ro, rep.our_base);
  const bc::RunResult r =
      run_peer({probe.binary, "-m", o.model, "-c", n_ctx, "-b", n_ctx, "-t",
                std::to_string(o.threads), "--kl-divergence-base", rep.our_base, "--kl-divergence"},
               o, log);
  rep.peer_on_our_base = parse_peer_kld_printout(r.stdout_text + r.stderr_text);
  if (!rep.peer_on_our_base.mean_kld || !rep.peer_on_our_base.same_top)
    throw bc::CompareError(bc::kExitPeerFailed,
                           "peer output unusable: no 'Mean    KLD' / 'Same top p' lines (fewer "
                           "than 100 scored positions print none: use more --kld-chunks)");
  const KldSummary& s = rep.ours_on_peer_base;
  const PeerKldPrintout& p = rep.peer_on_our_base;
  const bool ok1 =
      s.kld.value <= o.max_mean_kld && s.kld_max <= o.max_kld && s.same_top.value >= o.min_same_top;
  const bool ok2 = *p.mean_kld <= o.max_mean_kld && p.max_kld.value_or(0) <= o.max_kld &&
                   *p.same_top >= o.min_same_top;
  rep.pass = ok1 && ok2;
  rep.summary = fmt::format(
      "KL divergence ({} {}, {} chunks of {}):\n"
      "  ours on the peer's base: mean {:.3g}, max {:.3g}, same top {:.3f} %, PPL {:.4f} vs {:.4f}"
      " {}\n"
      "  peer on our base:        mean {:.3g}, max {:.3g}, same top {:.3f} % {}\n"
      "  thresholds: mean <= {:.3g}, max <= {:.3g}, same top >= {:.3f} %\n",
      probe.flavour, probe.version, base.n_chunk, base.n_ctx, s.kld.value, s.kld_max,
      100 * s.same_top.value, s.ppl.value, s.ppl_base.value, ok1 ? "ok" : "BELOW THRESHOLD",
      *p.mean_kld, p.max_kld.value_or(0), 100 * *p.same_top, ok2 ? "ok" : "BELOW THRESHOLD",
      o.max_mean_kld, o.max_kld, 100 * o.min_same_top);
  return rep;
}

}  // namespace bitnet::crossval
