// One line per benchmark over the runs of a machine (log y), regressions ringed in red.
#include <algorithm>

#include <fmt/format.h>

#include "bitnet/report/charts.h"
#include "bitnet/report/svg.h"

namespace bitnet::report {

namespace {

// Long benchmark names keep their family and the distinguishing tail.
std::string short_name(std::string name) {
  if (name.ends_with("/real_time")) name.resize(name.size() - 10);
  if (name.size() > 60) name = name.substr(0, 20) + "…" + name.substr(name.size() - 39);
  return name;
}

}  // namespace

std::string history_svg(const HistoryChart& c) {
  const int left = 70, plot_w = 500, right = 380, top = 46, bottom = 70;
  const int legend_h = 16 * static_cast<int>(c.series.size()) + 60;
  const int height = std::max(380, top + legend_h);
  const int width = left + plot_w + right;
  const double plot_r = left + plot_w, plot_b = height - bottom;
  double lo = 1e300, hi = 0;
  for (const HistorySeries& s : c.series)
    for (const HistoryPoint& p : s.points) lo = std::min(lo, p.value), hi = std::max(hi, p.value);
  if (!(hi > 0)) lo = 1, hi = 10;
  const auto [y0, y1] = svg::log_domain(lo / 1.1, hi * 1.1);
  const double n = static_cast<double>(std::max<std::size_t>(c.runs.size(), 2) - 1);
  const svg::Scale x{0, n, left + 20.0, plot_r - 20};
  const svg::Scale y{y0, y1, plot_b, static_cast<double>(top), true};
  std::string out = svg::open(width, height, "history-" + c.metric, c.title);
  out += svg::text(left, 20,
                   c.title + " (" + c.unit + ") over " + std::to_string(c.runs.size()) + " runs",
                   "font-size=\"15\" font-weight=\"bold\"");
  out += svg::text(left, 36, "red ring: regression by bench-diff's rule vs the preceding runs",
                   "fill=\"#555\"");
  out += svg::y_grid(y, svg::log_ticks(y0, y1), left, plot_r, left - 6, svg::num);
  for (std::size_t i = 0; i < c.runs.size(); ++i) {
    const double px = x(static_cast<double>(i));
    out += svg::line(px, top, px, plot_b, "stroke=\"#eee\"");
    std::string label = c.runs[i].substr(0, 16);  // ISO date and time to the minute
    out += fmt::format(
        "<text x=\"{0:.1f}\" y=\"{1:.1f}\" text-anchor=\"end\" fill=\"#444\" font-size=\"10\" "
        "transform=\"rotate(-30 {0:.1f} {1:.1f})\">{2}</text>\n",
        px, plot_b + 14, svg::esc(label));
  }
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{:.0f}\" fill=\"none\" stroke=\"#999\"/>\n",
      left, top, plot_w, plot_b - top);
  std::vector<svg::LegendItem> items;
  for (std::size_t si = 0; si < c.series.size(); ++si) {
    const HistorySeries& s = c.series[si];
    const char* col = svg::color(si);
    std::string path;
    for (const HistoryPoint& p : s.points)
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L",
                          x(static_cast<double>(p.run)), y(p.value));
    out += fmt::format(
        "<g data-series=\"{}\">\n<path d=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"1.8\"/>\n",
        svg::esc(s.name), path, col);
    for (const HistoryPoint& p : s.points) {
      const double px = x(static_cast<double>(p.run)), py = y(p.value);
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"><title>{} run {}: {} "
          "{}{}</title></circle>\n",
          px, py, col, svg::esc(s.name), p.run + 1, svg::num(p.value), svg::esc(c.unit),
          p.regression ? fmt::format(" (regression, {:+.1f}%)", 100 * p.change) : "");
      if (p.regression)
        out += fmt::format(
            "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"8\" fill=\"none\" stroke=\"#d62728\" "
            "stroke-width=\"2.5\" data-regression=\"1\"/>\n",
            px, py);
    }
    out += "</g>\n";
    items.push_back(
        {short_name(s.name),
         fmt::format("<rect x=\"-5\" y=\"-2\" width=\"10\" height=\"4\" fill=\"{}\"/>", col)});
  }
  out += svg::legend(plot_r + 12, top + 8, items);
  if (c.series.empty())
    out += svg::text(left + 20, top + 30, "no rows of this kind in the history");
  return out + svg::close();
}

}  // namespace bitnet::report
