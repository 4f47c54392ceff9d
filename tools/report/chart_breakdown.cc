// Stacked horizontal bars: one per decode / prefill row, each part's share of the token's time.
#include <algorithm>

#include <fmt/format.h>

#include "bitnet/report/charts.h"
#include "bitnet/report/svg.h"

namespace bitnet::report {

std::string breakdown_svg(const DecodeBreakdown& b) {
  const int label_w = 360, bar_w = 460, right = 120, row_h = 24, top = 74, bottom = 30;
  const int width = label_w + bar_w + right;
  const int height =
      top + bottom + row_h * static_cast<int>(std::max<std::size_t>(b.bars.size(), 1));
  std::string out = svg::open(width, height, "decode-breakdown", "Decode breakdown");
  out += svg::text(10, 20, "Where a token's time goes (frac_* counters)",
                   "font-size=\"15\" font-weight=\"bold\"");
  auto color_of = [&](const std::string& part) {
    return svg::color(static_cast<std::size_t>(std::find(b.parts.begin(), b.parts.end(), part) -
                                               b.parts.begin()));
  };
  // Legend in rows across the top.
  double lx = 10, ly = 42;
  for (const std::string& part : b.parts) {
    const double w = 30 + 7.2 * static_cast<double>(part.size());
    if (lx + w > width - 10) lx = 10, ly += 16;
    out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/>\n",
                       lx, ly - 9, color_of(part));
    out += svg::text(lx + 14, ly, part);
    lx += w;
  }
  const svg::Scale x{0, 1, static_cast<double>(label_w), static_cast<double>(label_w + bar_w)};
  out += svg::x_grid(x, {0, 0.25, 0.5, 0.75, 1}, top - 4, height - bottom + 4, height - bottom + 18,
                     [](double v) { return fmt::format("{:.0f}%", v * 100); });
  out += svg::text(label_w + bar_w + 8, top - 8, "ms / token", "fill=\"#444\"");
  for (std::size_t i = 0; i < b.bars.size(); ++i) {
    const BreakdownBar& bar = b.bars[i];
    const double y = top + row_h * static_cast<double>(i);
    out += svg::text(label_w - 8, y + 15, bar.label, "text-anchor=\"end\"");
    double total = 0;
    for (const auto& [part, share] : bar.parts) total += share;
    double acc = 0;
    for (const auto& [part, share] : bar.parts) {
      const double s = total > 0 ? share / total : 0;  // shares of the profiled time
      const double x0 = x(acc), w = x(acc + s) - x0;
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\" "
          "data-series=\"{}\"><title>{}: {} {:.1f}%</title></rect>\n",
          x0, y + 3, w, row_h - 6, color_of(part), svg::esc(part), svg::esc(bar.name),
          svg::esc(part), 100 * s);
      if (w > 34)
        out += svg::text(x0 + w / 2, y + 16, fmt::format("{:.0f}%", 100 * s),
                         "text-anchor=\"middle\" fill=\"white\" font-size=\"10\"");
      acc += s;
    }
    out += svg::text(label_w + bar_w + 8, y + 16, fmt::format("{:.3g}", bar.ms_per_token));
  }
  if (b.bars.empty())
    out += svg::text(label_w, top + 16, "no decode or prefill rows with frac_* counters");
  return out + svg::close();
}

}  // namespace bitnet::report
