// Small SVG vocabulary shared by the charts: escaping, number formatting, scales and ticks,
// axes, legends. Every chart is a standalone <svg> (it also renders outside the page).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bitnet::report::svg {

std::string esc(std::string_view text);  // &, <, >, " as entities
std::string num(double v);               // 3 significant digits with k/M/G: "1.23k", "0.0456"
const char* color(std::size_t i);        // a qualitative palette, cycling

struct Scale {
  double d0 = 0, d1 = 1;  // domain
  double r0 = 0, r1 = 1;  // range (pixels)
  bool log = false;
  double operator()(double v) const;
};

// Round ticks: 1/2/5 x 10^k steps, about `target` of them.
std::vector<double> linear_ticks(double lo, double hi, int target = 6);
// Powers of ten inside [lo, hi]; with fewer than three, also the 2x and 5x steps.
std::vector<double> log_ticks(double lo, double hi);
// [lo, hi] widened to the enclosing powers of ten.
std::pair<double, double> log_domain(double lo, double hi);

// <svg> with width/height, a viewBox (so the page can scale it), the chart's name in
// data-chart and a <title>.
std::string open(int width, int height, std::string_view chart, std::string_view title);
std::string close();

std::string text(double x, double y, std::string_view s, std::string_view attrs = "");
std::string line(double x1, double y1, double x2, double y2, std::string_view attrs);

// Grid lines and tick labels. x: labels below `y_label` at each tick; y: left of `x_label`.
std::string x_grid(const Scale& x, const std::vector<double>& ticks, double top, double bottom,
                   double y_label, const std::function<std::string(double)>& label);
std::string y_grid(const Scale& y, const std::vector<double>& ticks, double left, double right,
                   double x_label, const std::function<std::string(double)>& label);

struct LegendItem {
  std::string name;
  std::string swatch;  // an SVG element drawn at (0,0), e.g. a circle or rect
};
// Items in a column from (x, y), 16 px apart; returns the SVG.
std::string legend(double x, double y, const std::vector<LegendItem>& items);

}  // namespace bitnet::report::svg
