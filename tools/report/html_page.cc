#include "bitnet/report/html_page.h"

#include <fmt/format.h>

#include "bitnet/report/charts.h"
#include "bitnet/report/diff_model.h"
#include "bitnet/report/html_tables.h"
#include "bitnet/report/kernel_summary.h"
#include "bitnet/report/machine_model.h"
#include "bitnet/report/peer_model.h"
#include "bitnet/report/roofline_model.h"

namespace bitnet::report {

namespace {

constexpr const char* kStyle = R"(
body { font-family: "DejaVu Sans", sans-serif; margin: 20px 28px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 18px; border-bottom: 1px solid #ccc; margin-top: 34px; }
h3 { font-size: 15px; margin-bottom: 4px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 12px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
table.num td { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.num td:first-child, table[data-table=kernel-summary] td:nth-child(6) { white-space: normal; }
table.facts th { width: 120px; }
tr.flag td { background: #fde2e1; } tr.near td { background: #fff6dc; }
tr.v-regression td, tr.v-errored td { background: #fde2e1; } tr.v-improvement td { background: #e3f6e3; }
tr.v-inconclusive td { background: #fff3dc; }
.features span { display: inline-block; background: #eef; border-radius: 3px; padding: 1px 5px;
  margin: 1px; font-size: 11px; }
.chart { margin: 8px 0 18px; overflow-x: auto; } .chart svg { max-width: 100%; height: auto; }
.note { color: #555; font-size: 12px; } code { font-size: 11px; }
details { margin: 4px 0; } summary { cursor: pointer; font-size: 13px; }
)";

std::string chart(const std::string& svg) {
  return "<div class=\"chart\">\n" + svg + "</div>\n";
}

std::string run_sections(const RunData& run, const ReportInputs& in) {
  const MachineInfo machine = machine_info(run);
  std::string out = fmt::format("<section data-run=\"{}\">\n<h2>Run <code>{}</code></h2>\n",
                                html_escape(run.source), html_escape(run.source));
  out += "<h3>Machine</h3>\n" + machine_html(machine);
  const auto rooflines = roofline_charts(run, machine);
  if (!rooflines.empty()) {
    out +=
        "<h3>Roofline</h3>\n<p class=\"note\">Each mark is one gemv/gemm row: ops per weight "
        "byte against achieved GOPS. A mark on a bandwidth line is memory-bound; far below "
        "both lines, something else limits it (instruction mix, threads, a busy machine).</p>\n";
    for (const RooflineChart& c : rooflines) out += chart(roofline_svg(c));
  }
  const DecodeBreakdown breakdown = decode_breakdown(run);
  if (!breakdown.bars.empty())
    out += "<h3>Decode breakdown</h3>\n" + chart(breakdown_svg(breakdown));
  const auto cases = kernel_summary(run, in.flag_threshold);
  if (!cases.empty()) {
    std::size_t flagged = 0;
    for (const KernelCase& c : cases) flagged += c.flagged;
    out += fmt::format(
        "<h3>Kernel summary</h3>\n<p class=\"note\">Per case the fastest kernel (median time) and "
        "dispatch's pick. Red: dispatch picked another kernel and is at least {:g} % slower than "
        "the best ({} case(s)); yellow: another kernel was faster by less (noise on a busy "
        "machine).</p>\n",
        100 * in.flag_threshold, flagged);
    out += kernel_summary_html(cases);
  }
  return out + "</section>\n";
}

}  // namespace

std::string render_html(const ReportInputs& in) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      // Nothing may be fetched: no script, no font, no image except inline data.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<title>bitnet-bench report</title>\n<style>" +
      std::string(kStyle) + "</style>\n</head>\n<body>\n<h1>bitnet-bench report</h1>\n";
  out += "<p class=\"note\">Inputs:";
  for (const RunData& r : in.runs) out += " <code>" + html_escape(r.source) + "</code>";
  if (!in.history_source.empty())
    out += fmt::format("; history <code>{}</code> ({} runs)", html_escape(in.history_source),
                       in.history.size());
  if (in.diff) out += "; diff against <code>" + html_escape(in.diff->baseline_source) + "</code>";
  out += "</p>\n";

  for (const RunData& r : in.runs) out += run_sections(r, in);

  std::vector<const RunData*> runs;
  for (const RunData& r : in.runs) runs.push_back(&r);
  const std::vector<PeerPair> pairs = peer_pairs(runs);
  if (!pairs.empty()) {
    out += "<section data-section=\"peer\">\n<h2>Ours vs peer</h2>\n";
    for (const char* kind : {"model", "kernel"})
      for (const PeerPair& p : pairs)
        if (p.kind == kind) {
          out += chart(peer_svg(pairs, kind));
          break;
        }
    out += peer_table_html(pairs) + "</section>\n";
  }
  if (!in.history.empty()) {
    out += "<section data-section=\"history\">\n<h2>History</h2>\n";
    out += fmt::format(
        "<p class=\"note\">{} runs of this machine, oldest first. A run is marked when "
        "bench-diff's "
        "rule (U test p &lt; {:g} and |change| &ge; {:g} %) calls it a regression against the {} "
        "runs before it.</p>\n",
        in.history.size(), in.history_opts.alpha, 100 * in.history_opts.min_change,
        in.history_opts.depth);
    for (const HistoryChart& c : history_charts(in.history, in.history_opts))
      out += chart(history_svg(c));
    out += "</section>\n";
  }
  if (in.diff) {
    out += "<section data-section=\"diff\">\n<h2>Diff</h2>\n";
    out += chart(diff_svg(diff_chart(*in.diff)));
    out += diff_tables_html(*in.diff) + "</section>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace bitnet::report
