// The report's charts, one standalone SVG each (data-chart names the chart; every drawn mark
// of a series carries data-series, so tests and scripts can find what was drawn).
#pragma once

#include <string>
#include <vector>

#include "bitnet/report/decode_model.h"
#include "bitnet/report/diff_model.h"
#include "bitnet/report/history_model.h"
#include "bitnet/report/peer_model.h"
#include "bitnet/report/roofline_model.h"

namespace bitnet::report {

std::string roofline_svg(const RooflineChart& chart);
std::string breakdown_svg(const DecodeBreakdown& breakdown);
// The pairs of one kind ("model" or "kernel") as bars, ours beside the peer's.
std::string peer_svg(const std::vector<PeerPair>& pairs, const std::string& kind);
std::string history_svg(const HistoryChart& chart);
std::string diff_svg(const DiffChart& chart);

}  // namespace bitnet::report
