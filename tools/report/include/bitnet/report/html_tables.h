// The report's HTML tables (machine header, kernel summary, peer ratios, diff rows).
#pragma once

#include <string>
#include <vector>

#include "bitnet/diff/verdicts.h"
#include "bitnet/report/kernel_summary.h"
#include "bitnet/report/machine_model.h"
#include "bitnet/report/peer_model.h"

namespace bitnet::report {

std::string html_escape(const std::string& text);
std::string machine_html(const MachineInfo& m);
std::string kernel_summary_html(const std::vector<KernelCase>& cases);
std::string peer_table_html(const std::vector<PeerPair>& pairs);
// Changed rows as a table; the unchanged folded per family into <details>.
std::string diff_tables_html(const diff::DiffReport& report);

}  // namespace bitnet::report
