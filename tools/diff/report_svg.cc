// Horizontal chart: one line per compared benchmark, a dot at the median change and a bar for its
// confidence interval, shaded band for the +-threshold "no change" zone. Self-contained SVG.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bitnet/diff/report.h"

namespace bitnet::diff {

namespace {

const char* fill_of(Verdict v) {
  switch (v) {
    case Verdict::kRegression:
      return "#d62728";
    case Verdict::kImprovement:
      return "#2ca02c";
    case Verdict::kInconclusive:
      return "#ff7f0e";
    default:
      return "#7f7f7f";
  }
}

}  // namespace

std::string render_svg(const DiffReport& report) {
  std::vector<const BenchmarkDiff*> rows;
  for (const BenchmarkDiff& d : report.rows)
    if (d.n_baseline && d.n_contender && std::isfinite(d.change)) rows.push_back(&d);

  // Axis covering every point, interval and twice the threshold, rounded out to 5 %; it cannot
  // go below -100 % and is capped at +1000 % (values beyond are drawn at the edge).
  double lo = -0.1, hi = 0.1;
  for (const BenchmarkDiff* d : rows) {
    lo = std::min({lo, d->change, -2 * d->min_change});
    hi = std::max({hi, d->change, 2 * d->min_change});
    if (d->has_ci) {
      lo = std::min(lo, d->ci_low);
      hi = std::max(hi, d->ci_high);
    }
  }
  lo = std::max(-1.0, std::floor(lo * 20) / 20);
  hi = std::min(10.0, std::ceil(hi * 20) / 20);

  const int label_w = 440, plot_w = 460, right = 150, row_h = 20, top = 50, bottom = 40;
  const int width = label_w + plot_w + right;
  const int height = top + bottom + row_h * static_cast<int>(std::max<std::size_t>(rows.size(), 1));
  auto x_of = [&](double rel) {
    rel = std::clamp(rel, lo, hi);
    return label_w + (rel - lo) / (hi - lo) * plot_w;
  };
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">bench-diff: {} ({})</text>\n"
      "<text x=\"10\" y=\"38\" fill=\"#555\">change of the median vs baseline; bars: {:g} % "
      "confidence interval; grey band: below threshold</text>\n",
      width, height, xml_escape(report.outcome()), xml_escape(summary_line(report)),
      100 * (1 - report.alpha));
  const int plot_top = top, plot_bottom = height - bottom;
  const double band = report.min_change;
  out += fmt::format("<rect x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{}\" fill=\"#eee\"/>\n",
                     x_of(-band), plot_top, x_of(band) - x_of(-band), plot_bottom - plot_top);
  // Ticks at round steps (1, 2 or 5 x 10^k percent), at most about eight of them.
  double step = 0.01;
  for (double m = 0.01; (hi - lo) / step > 8; m *= 10)
    for (double f : {1.0, 2.0, 5.0})
      if ((hi - lo) / step > 8) step = f * m;
  for (double rel = std::ceil(lo / step) * step; rel <= hi + 1e-9; rel += step) {
    const double r = std::fabs(rel) < 1e-9 ? 0 : rel;
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#ddd\"/>\n"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#555\">{4:+.0f}%</text>\n",
        x_of(r), plot_top, plot_bottom, plot_bottom + 15, r * 100);
  }
  // The zero line.
  out +=
      fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#000\"/>\n",
                  x_of(0), plot_top, plot_bottom);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const BenchmarkDiff& d = *rows[i];
    const double y = plot_top + row_h * (static_cast<double>(i) + 0.5);
    const char* color = fill_of(d.verdict);
    std::string label = d.name;
    // Long names lose their middle: the family and the last segments (threads, residency) tell
    // rows apart.
    if (label.size() > 64) label = label.substr(0, 30) + "..." + label.substr(label.size() - 31);
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", label_w - 8,
                       y + 4, xml_escape(label));
    if (d.has_ci)
      out += fmt::format(
          "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
          "stroke-width=\"3\" opacity=\"0.5\"/>\n",
          x_of(d.ci_low), y, x_of(d.ci_high), y, color);
    out += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"><title>{}: {} "
        "(p={:.3g}, {})</title></circle>\n",
        x_of(d.change), y, color, xml_escape(d.name), format_percent(d.change), d.p_value,
        to_string(d.verdict));
    out +=
        fmt::format("<text x=\"{}\" y=\"{:.1f}\" fill=\"{}\">{} {}</text>\n", label_w + plot_w + 8,
                    y + 4, color, format_percent(d.change), to_string(d.verdict));
  }
  if (rows.empty())
    out += fmt::format("<text x=\"{}\" y=\"{}\">no benchmark could be compared</text>\n", label_w,
                       top + 14);
  return out + "</svg>\n";
}

}  // namespace bitnet::diff
