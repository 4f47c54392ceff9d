// Renderings of a DiffReport: terminal table, Markdown (PR comments, CI job summaries), JSON
// (machines) and SVG (per-benchmark change with confidence bars).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bitnet/diff/arrange.h"
#include "bitnet/diff/verdicts.h"

namespace bitnet::diff {

std::string render_terminal(const DiffReport& report, bool color);
// Per-family summary lines first, then the rows `opts` keeps, in its order (--changed-only,
// --sort effect).
std::string render_people(const DiffReport& report, const ArrangeOptions& opts, bool color);
std::string render_markdown(const DiffReport& report);
nlohmann::ordered_json render_json(const DiffReport& report);
std::string render_svg(const DiffReport& report);
std::string render_junit(const DiffReport& report);    // Jenkins / GitLab test reports
std::string render_metrics(const DiffReport& report);  // OpenMetrics text (GitLab metrics)

// Shared by the renderers: a metric value with a unit ("1.23 ms", "4.56 G/s"), a signed
// percentage ("+5.1%"), and a one-line summary ("1 regression, 3 no change").
std::string format_value(double value, const std::string& metric);
std::string format_percent(double relative);
std::string summary_line(const DiffReport& report);
std::string xml_escape(const std::string& text);  // &, <, >, " as entities (SVG, JUnit)

}  // namespace bitnet::diff
