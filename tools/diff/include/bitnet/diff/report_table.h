// The cells of the per-benchmark table, shared by the terminal and Markdown renderers.
#pragma once

#include <string>
#include <vector>

#include "bitnet/diff/verdicts.h"

namespace bitnet::diff {

struct TableRow {
  std::vector<std::string> cells;  // one per column of table_header()
  Verdict verdict;
  std::vector<int> note_ids;  // 1-based indices into the notes list
};

std::vector<std::string> table_header();
// Fills `notes` with every per-row note/message, numbered in the rows' note_ids.
std::vector<TableRow> table_rows(const DiffReport& report, std::vector<std::string>& notes);

}  // namespace bitnet::diff
