// Forest plot of a diff: changed rows first (largest effect first), unchanged rows folded to
// one range bar per family. The axis is at the top and the bottom; rows shrink with their number
// so any diff fits in one picture a browser and rsvg-convert can draw.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bitnet/diff/report.h"
#include "bitnet/report/charts.h"
#include "bitnet/report/svg.h"

namespace bitnet::report {

namespace {

const char* fill_of(diff::Verdict v) {
  switch (v) {
    case diff::Verdict::kRegression:
    case diff::Verdict::kErrored:
      return "#d62728";
    case diff::Verdict::kImprovement:
      return "#2ca02c";
    case diff::Verdict::kInconclusive:
      return "#ff7f0e";
    default:
      return "#7f7f7f";
  }
}

}  // namespace

std::string diff_svg(const DiffChart& c) {
  const std::size_t n = std::max<std::size_t>(c.rows.size(), 1);
  // 20 px rows, down to 12 px for long lists (8000 px at 300 + families).
  const int row_h = n <= 60 ? 20 : n <= 200 ? 16 : 12;
  const int label_w = 440, plot_w = 440, right = 170, top = 70, bottom = 40;
  const int width = label_w + plot_w + right;
  const int height = top + bottom + row_h * static_cast<int>(n) + (c.not_drawn ? row_h : 0);
  double lo = -0.1, hi = 0.1;
  // The axis spans the changes (and folded ranges), not every interval: one wide interval would
  // squeeze all the dots together. Intervals beyond the axis are cut at its edge.
  for (const DiffChartRow& r : c.rows) {
    lo = std::min({lo, r.change, -2 * c.min_change});
    hi = std::max({hi, r.change, 2 * c.min_change});
    if (r.folded) lo = std::min(lo, r.ci_low), hi = std::max(hi, r.ci_high);
  }
  const double pad = 0.1 * (hi - lo);
  lo -= pad;
  hi += pad;
  lo = std::max(-1.0, std::floor(lo * 20) / 20);
  hi = std::min(10.0, std::ceil(hi * 20) / 20);
  const svg::Scale x{lo, hi, static_cast<double>(label_w), static_cast<double>(label_w + plot_w)};
  auto xc = [&](double v) { return x(std::clamp(v, lo, hi)); };
  const double plot_top = top, plot_bottom = height - bottom;
  std::string out = svg::open(width, height, "diff", "bench-diff: " + c.summary);
  out +=
      svg::text(10, 20, "Diff vs baseline: " + c.summary, "font-size=\"15\" font-weight=\"bold\"");
  out += svg::text(10, 36,
                   fmt::format("change of the median; bars: {:g} % confidence interval; grey band: "
                               "below the {:g} % threshold; folded rows: range of the unchanged",
                               100 * (1 - c.alpha), 100 * c.min_change),
                   "fill=\"#555\"");
  out += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.0f}\" fill=\"#eee\"/>\n",
      xc(-c.min_change), plot_top, xc(c.min_change) - xc(-c.min_change), plot_bottom - plot_top);
  const auto ticks = svg::linear_ticks(lo, hi, 8);
  auto pct = [](double v) { return fmt::format("{:+.0f}%", v * 100); };
  out += svg::x_grid(x, ticks, plot_top, plot_bottom, plot_top - 6, pct);  // axis at the top
  for (double t : ticks)
    out += svg::text(x(t), plot_bottom + 15, pct(t), "text-anchor=\"middle\" fill=\"#444\"");
  out += svg::line(x(0), plot_top, x(0), plot_bottom, "stroke=\"#000\"");
  for (std::size_t i = 0; i < c.rows.size(); ++i) {
    const DiffChartRow& r = c.rows[i];
    const double y = plot_top + row_h * (static_cast<double>(i) + 0.5);
    const char* col = fill_of(r.verdict);
    std::string label = r.label;
    if (label.ends_with("/real_time")) label.resize(label.size() - 10);
    if (label.size() > 66) label = label.substr(0, 30) + "…" + label.substr(label.size() - 33);
    const std::string series = r.folded ? "folded" : std::string(diff::to_string(r.verdict));
    out += fmt::format("<g data-series=\"{}\">\n", svg::esc(series));
    out += svg::text(label_w - 8, y + 4, label,
                     fmt::format("text-anchor=\"end\"{}",
                                 r.folded ? " fill=\"#666\" font-style=\"italic\"" : ""));
    if (r.has_ci)
      out += svg::line(xc(r.ci_low), y, xc(r.ci_high), y,
                       fmt::format("stroke=\"{}\" stroke-width=\"{}\" opacity=\"0.5\"", col,
                                   r.folded ? row_h - 8 : 3));
    out += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"><title>{}: {}</title></circle>\n",
        xc(r.change), y, r.folded ? 3 : 4, col, svg::esc(r.label), diff::format_percent(r.change));
    out += svg::text(
        label_w + plot_w + 8, y + 4,
        r.folded ? fmt::format("{} .. {}", diff::format_percent(r.ci_low),
                               diff::format_percent(r.ci_high))
                 : diff::format_percent(r.change) + " " + std::string(diff::to_string(r.verdict)),
        fmt::format("fill=\"{}\"", col));
    out += "</g>\n";
  }
  if (c.not_drawn)
    out += svg::text(label_w - 8, plot_top + row_h * (static_cast<double>(c.rows.size()) + 0.5) + 4,
                     fmt::format("… {} more changed rows (see the table)", c.not_drawn),
                     "text-anchor=\"end\" fill=\"#555\"");
  if (c.rows.empty()) out += svg::text(label_w, top + 14, "no benchmark could be compared");
  return out + svg::close();
}

}  // namespace bitnet::report
