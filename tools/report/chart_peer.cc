// Ours vs a peer: for each matched case two bars (ours, the peer's) on one linear axis, and the
// ratio ours/peer at the end (> 1: we are faster).
#include <algorithm>

#include <fmt/format.h>

#include "bitnet/report/charts.h"
#include "bitnet/report/svg.h"

namespace bitnet::report {

std::string peer_svg(const std::vector<PeerPair>& all, const std::string& kind) {
  std::vector<const PeerPair*> pairs;
  for (const PeerPair& p : all)
    if (p.kind == kind) pairs.push_back(&p);
  const int label_w = 380, bar_w = 420, right = 110, group_h = 40, top = 62, bottom = 34;
  const int width = label_w + bar_w + right;
  const int height =
      top + bottom + group_h * static_cast<int>(std::max<std::size_t>(pairs.size(), 1));
  const std::string unit = pairs.empty() ? "" : pairs.front()->unit;
  std::string out =
      svg::open(width, height, "peer-" + kind,
                kind == "model" ? "Ours vs peer: whole model" : "Ours vs peer: kernels");
  out += svg::text(10, 20,
                   kind == "model" ? "Ours vs peer: whole model (" + unit + ", higher is better)"
                                   : "Ours vs peer: kernels (" + unit + ", higher is better)",
                   "font-size=\"15\" font-weight=\"bold\"");
  const std::string peer_name = pairs.empty() ? "peer" : pairs.front()->peer;
  out += svg::legend(10, 42,
                     {{"ours (bitnet-bench)",
                       "<rect x=\"-5\" y=\"-5\" width=\"10\" height=\"10\" fill=\"#1f77b4\"/>"}});
  out += svg::legend(
      180, 42,
      {{peer_name, "<rect x=\"-5\" y=\"-5\" width=\"10\" height=\"10\" fill=\"#ff7f0e\"/>"}});
  double hi = 0;
  for (const PeerPair* p : pairs) hi = std::max({hi, p->ours, p->theirs});
  const std::vector<double> ticks = svg::linear_ticks(0, hi > 0 ? hi : 1, 5);
  // Room after the longest bar for its value.
  const svg::Scale x{0, std::max(ticks.back(), hi > 0 ? hi * 1.12 : 1),
                     static_cast<double>(label_w), static_cast<double>(label_w + bar_w)};
  out += svg::x_grid(x, ticks, top - 4, height - bottom + 4, height - bottom + 18, svg::num);
  out += svg::text(label_w + bar_w + 8, top - 8, "ours/peer", "fill=\"#444\"");
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const PeerPair& p = *pairs[i];
    const double y = top + group_h * static_cast<double>(i);
    // "decode model threads:2 (ours pos:16, peer -)": the detail in brackets on a second line.
    const std::size_t bracket = p.label.find(" (");
    out += svg::text(label_w - 8, y + 16, p.label.substr(0, bracket), "text-anchor=\"end\"");
    if (bracket != std::string::npos)
      out += svg::text(label_w - 8, y + 30, p.label.substr(bracket + 1),
                       "text-anchor=\"end\" fill=\"#666\" font-size=\"10\"");
    auto bar = [&](double v, double yy, const char* color, const char* series,
                   const std::string& name) {
      return fmt::format(
                 "<rect x=\"{}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"15\" fill=\"{}\" "
                 "data-series=\"{}\"><title>{}: {} {}</title></rect>\n",
                 label_w, yy, x(v) - label_w, color, series, svg::esc(name), svg::num(v),
                 svg::esc(p.unit)) +
             svg::text(x(v) + 4, yy + 12, svg::num(v), "font-size=\"10\" fill=\"#333\"");
    };
    out += bar(p.ours, y + 3, "#1f77b4", "ours", p.ours_name);
    out += bar(p.theirs, y + 19, "#ff7f0e", "peer", p.peer_name);
    const double r = p.ratio();
    out +=
        svg::text(label_w + bar_w + 8, y + 24, fmt::format("{:.2f}x", r),
                  fmt::format("font-weight=\"bold\" fill=\"{}\"", r >= 1 ? "#2ca02c" : "#d62728"));
  }
  if (pairs.empty()) out += svg::text(label_w, top + 16, "no matching ours/peer rows");
  return out + svg::close();
}

}  // namespace bitnet::report
