#include "bitnet/report/svg.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "bitnet/diff/report.h"

namespace bitnet::report::svg {

// The same entities as bench-diff's SVG and JUnit output: one escaper for both.
std::string esc(std::string_view text) {
  return diff::xml_escape(std::string(text));
}

std::string num(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  static constexpr struct {
    double scale;
    const char* suffix;
  } kSi[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& si : kSi)
    if (a >= si.scale) return fmt::format("{:.3g}{}", v / si.scale, si.suffix);
  return fmt::format("{:.3g}", v);
}

const char* color(std::size_t i) {
  // Tableau 10, then darker tones for more series: distinguishable, and readable on white.
  static const char* kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                   "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173"};
  return kPalette[i % std::size(kPalette)];
}

double Scale::operator()(double v) const {
  double t;
  if (log) {
    v = std::max(v, 1e-300);
    t = (std::log10(v) - std::log10(d0)) / (std::log10(d1) - std::log10(d0));
  } else {
    t = d1 == d0 ? 0.5 : (v - d0) / (d1 - d0);
  }
  return r0 + t * (r1 - r0);
}

std::vector<double> linear_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) return {lo};
  const double raw = (hi - lo) / std::max(target, 1);
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double f : {1.0, 2.0, 5.0, 10.0})
    if (f * mag >= raw) {
      step = f * mag;
      break;
    }
  std::vector<double> ticks;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

std::pair<double, double> log_domain(double lo, double hi) {
  lo = std::max(lo, 1e-300);
  hi = std::max(hi, lo * 10);
  return {std::pow(10, std::floor(std::log10(lo))), std::pow(10, std::ceil(std::log10(hi)))};
}

std::vector<double> log_ticks(double lo, double hi) {
  std::vector<double> ticks;
  for (double p = std::pow(10, std::ceil(std::log10(lo) - 1e-9)); p <= hi * (1 + 1e-9); p *= 10)
    ticks.push_back(p);
  if (ticks.size() < 3) {
    std::vector<double> fine;
    for (double p = std::pow(10, std::floor(std::log10(lo))); p <= hi * (1 + 1e-9); p *= 10)
      for (double f : {1.0, 2.0, 5.0})
        if (f * p >= lo * (1 - 1e-9) && f * p <= hi * (1 + 1e-9)) fine.push_back(f * p);
    return fine;
  }
  return ticks;
}

std::string open(int width, int height, std::string_view chart, std::string_view title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" data-chart=\"{2}\" font-family=\"DejaVu Sans, sans-serif\" "
      "font-size=\"12\">\n<title>{3}</title>\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
      width, height, esc(chart), esc(title));
}

std::string close() {
  return "</svg>\n";
}

std::string text(double x, double y, std::string_view s, std::string_view attrs) {
  return fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\"{}{}>{}</text>\n", x, y,
                     attrs.empty() ? "" : " ", attrs, esc(s));
}

std::string line(double x1, double y1, double x2, double y2, std::string_view attrs) {
  return fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>\n", x1, y1,
                     x2, y2, attrs);
}

std::string x_grid(const Scale& x, const std::vector<double>& ticks, double top, double bottom,
                   double y_label, const std::function<std::string(double)>& label) {
  std::string out;
  for (double t : ticks) {
    const double px = x(t);
    out += line(px, top, px, bottom, "stroke=\"#e3e3e3\"");
    out += text(px, y_label, label(t), "text-anchor=\"middle\" fill=\"#444\"");
  }
  return out;
}

std::string y_grid(const Scale& y, const std::vector<double>& ticks, double left, double right,
                   double x_label, const std::function<std::string(double)>& label) {
  std::string out;
  for (double t : ticks) {
    const double py = y(t);
    out += line(left, py, right, py, "stroke=\"#e3e3e3\"");
    out += text(x_label, py + 4, label(t), "text-anchor=\"end\" fill=\"#444\"");
  }
  return out;
}

std::string legend(double x, double y, const std::vector<LegendItem>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const double yy = y + 16.0 * static_cast<double>(i);
    out += fmt::format("<g transform=\"translate({:.1f},{:.1f})\">{}</g>\n", x + 6, yy - 4,
                       items[i].swatch);
    out += text(x + 16, yy, items[i].name, "fill=\"#222\" font-size=\"11\"");
  }
  return out;
}

}  // namespace bitnet::report::svg
