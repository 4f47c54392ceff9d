// Log-log roofline: ceilings from the measured limits, one mark per matmul row. Colour = kernel,
// filled = hot weights, ring = cold (streamed from DRAM).
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "bitnet/report/charts.h"
#include "bitnet/report/svg.h"

namespace bitnet::report {

std::string roofline_svg(const RooflineChart& chart) {
  const int width = 960, height = 520, left = 70, right = 250, top = 46, bottom = 56;
  const double plot_r = width - right, plot_b = height - bottom;
  double ai_lo = 1e300, ai_hi = 0, g_lo = 1e300, g_hi = 0;
  for (const RooflinePoint& p : chart.points) {
    ai_lo = std::min(ai_lo, p.intensity);
    ai_hi = std::max(ai_hi, p.intensity);
    g_lo = std::min(g_lo, p.gops);
    g_hi = std::max(g_hi, p.gops);
  }
  double peak = 0;
  for (const Ceiling& c : chart.ceilings)
    if (!c.bandwidth) peak = std::max(peak, c.value);
  g_hi = std::max(g_hi, peak);
  // Show where each bandwidth roof meets the top peak (the ridge point).
  for (const Ceiling& c : chart.ceilings)
    if (c.bandwidth && peak > 0) ai_hi = std::max(ai_hi, peak / c.value * 1.5);
  const auto [x0, x1] = svg::log_domain(ai_lo, ai_hi);
  const auto [y0, y1] = svg::log_domain(g_lo, g_hi * 1.2);
  const svg::Scale x{x0, x1, static_cast<double>(left), plot_r, true};
  const svg::Scale y{y0, y1, plot_b, static_cast<double>(top), true};

  std::string out =
      svg::open(width, height, "roofline", fmt::format("Roofline, {} thread(s)", chart.threads));
  out += svg::text(left, 20, fmt::format("Roofline: {} thread(s)", chart.threads),
                   "font-size=\"15\" font-weight=\"bold\"");
  out += svg::text(left, 36,
                   "achieved GOPS vs arithmetic intensity (ops per weight byte); lines: measured "
                   "limits of this machine",
                   "fill=\"#555\"");
  out += svg::x_grid(x, svg::log_ticks(x0, x1), top, plot_b, plot_b + 16, svg::num);
  out += svg::y_grid(y, svg::log_ticks(y0, y1), left, plot_r, left - 6, svg::num);
  out += svg::text((left + plot_r) / 2, height - 14, "arithmetic intensity (ops / byte)",
                   "text-anchor=\"middle\"");
  out += svg::text(16, (top + plot_b) / 2, "GOPS",
                   fmt::format("text-anchor=\"middle\" transform=\"rotate(-90 16 {:.0f})\"",
                               (top + plot_b) / 2));
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"none\" "
      "stroke=\"#999\"/>\n",
      left, top, plot_r - left, plot_b - top);

  // Text boxes already drawn; a label that would overlap one moves or is left out (every mark
  // keeps its full name in a tooltip, and the legend names the colours).
  std::vector<std::array<double, 4>> boxes;
  auto fits = [&](double bx, double by, double bw, double bh) {
    if (bx < left || bx + bw > plot_r || by < top || by + bh > plot_b) return false;
    for (const auto& b : boxes)
      if (bx < b[0] + b[2] && b[0] < bx + bw && by < b[1] + b[3] && b[1] < by + bh) return false;
    return true;
  };
  auto place = [&](double ax, double ay, const std::string& s, const std::string& attrs,
                   double font) -> std::string {
    const double w = 0.58 * font * static_cast<double>(s.size()), h = font + 2;
    for (const auto& [dx, dy, anchor_end] :
         {std::tuple(8.0, 4.0, false), std::tuple(-8.0, 4.0, true), std::tuple(8.0, -7.0, false),
          std::tuple(8.0, 15.0, false), std::tuple(-8.0, -7.0, true),
          std::tuple(-8.0, 15.0, true)}) {
      const double bx = anchor_end ? ax + dx - w : ax + dx, by = ay + dy - font;
      if (!fits(bx, by, w, h)) continue;
      boxes.push_back({bx, by, w, h});
      return svg::text(ax + dx, ay + dy, s,
                       attrs + (anchor_end ? " text-anchor=\"end\"" : "") +
                           fmt::format(" font-size=\"{:g}\"", font));
    }
    return "";
  };

  // Ceilings: a bandwidth B gives GOPS = B * intensity, up to the highest peak. Each has its
  // own stroke so the legend can name it.
  static const char* kBandwidthDash[] = {"", "8 3", "2 2", "12 3 2 3"};
  static const char* kPeakDash[] = {"10 4", "4 4", "12 3 2 3", "2 2"};
  std::vector<svg::LegendItem> ceiling_items;
  std::string ceiling_labels;
  out += "<g data-series=\"ceilings\">\n";
  std::size_t n_bw = 0, n_peak = 0;
  for (const Ceiling& c : chart.ceilings) {
    const char* dash = c.bandwidth ? kBandwidthDash[n_bw++ % 4] : kPeakDash[n_peak++ % 4];
    const std::string stroke =
        fmt::format("stroke=\"{}\" stroke-width=\"1.6\"{}", c.bandwidth ? "#333" : "#777",
                    *dash ? fmt::format(" stroke-dasharray=\"{}\"", dash) : "");
    const std::string text =
        fmt::format("{} {} {}", c.name, svg::num(c.value), c.bandwidth ? "GB/s" : "GOPS");
    if (c.bandwidth) {
      const double a_end = peak > 0 ? std::min(x1, peak / c.value) : x1;
      const double a_start = std::max(x0, y0 / c.value);
      if (a_end <= a_start) continue;
      out += svg::line(x(a_start), y(c.value * a_start), x(a_end), y(c.value * a_end),
                       stroke + " data-ceiling=\"bandwidth\"");
      ceiling_labels += place(x(a_end), y(c.value * a_end) + 8, c.name, "fill=\"#333\"", 10);
    } else {
      out += svg::line(left, y(c.value), plot_r, y(c.value), stroke + " data-ceiling=\"peak\"");
      ceiling_labels += place(plot_r - 4 - 6.4 * static_cast<double>(text.size()), y(c.value) - 3,
                              text, "fill=\"#333\"", 11);
    }
    ceiling_items.push_back(
        {text, fmt::format("<line x1=\"-7\" y1=\"0\" x2=\"7\" y2=\"0\" {}/>", stroke)});
  }
  out += "</g>\n" + ceiling_labels;

  // One colour per implementation, in first-seen order.
  std::vector<std::string> impls;
  for (const RooflinePoint& p : chart.points)
    if (std::find(impls.begin(), impls.end(), p.impl) == impls.end()) impls.push_back(p.impl);
  auto color_of = [&](const std::string& impl) {
    return svg::color(
        static_cast<std::size_t>(std::find(impls.begin(), impls.end(), impl) - impls.begin()));
  };
  std::string marks, labels;
  for (const RooflinePoint& p : chart.points) {
    const double px = x(p.intensity), py = y(p.gops);
    const char* col = color_of(p.impl);
    marks += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"{}\" stroke=\"{}\" stroke-width=\"2\" "
        "data-series=\"{}\" data-residency=\"{}\"><title>{}: {} GOPS, {} "
        "ops/byte</title></circle>\n",
        px, py, p.cold ? "white" : col, col, svg::esc(p.impl), p.cold ? "cold" : "hot",
        svg::esc(p.name), svg::num(p.gops), svg::num(p.intensity));
    boxes.push_back({px - 5, py - 5, 10, 10});
  }
  // Labels after every mark is known, fastest first (the interesting ones win the space).
  std::vector<const RooflinePoint*> by_speed;
  for (const RooflinePoint& p : chart.points) by_speed.push_back(&p);
  std::sort(by_speed.begin(), by_speed.end(),
            [](const RooflinePoint* a, const RooflinePoint* b) { return a->gops > b->gops; });
  for (const RooflinePoint* p : by_speed)
    labels +=
        place(x(p->intensity), y(p->gops),
              fmt::format("{} {} {}", p->impl, p->format, p->shape.substr(0, p->shape.find(' '))),
              fmt::format("fill=\"{}\"", color_of(p->impl)), 10);
  out += marks + labels;

  std::vector<svg::LegendItem> items;
  for (const std::string& impl : impls)
    items.push_back(
        {impl, fmt::format("<circle r=\"5\" fill=\"{0}\" stroke=\"{0}\"/>", color_of(impl))});
  items.push_back({"filled: hot weights",
                   "<circle r=\"5\" fill=\"#555\" stroke=\"#555\" stroke-width=\"2\"/>"});
  items.push_back(
      {"ring: cold (DRAM)", "<circle r=\"5\" fill=\"white\" stroke=\"#555\" stroke-width=\"2\"/>"});
  items.insert(items.end(), ceiling_items.begin(), ceiling_items.end());
  out += svg::legend(plot_r + 14, top + 8, items);
  if (chart.points.empty())
    out += svg::text(left + 20, top + 30, "no matmul rows with GOPS and bytes_per_second");
  return out + svg::close();
}

}  // namespace bitnet::report
