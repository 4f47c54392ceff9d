// `bitnet-compare convert`: a saved llama-bench output (json, jsonl, csv or md) as Google
// Benchmark JSON. Streamed end to end (docs/compare.md): each test is read, converted and written
// before the next is read, so memory stays flat however long the file is.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "bitnet/results/gbench_json.h"

namespace bitnet::compare {

struct ConvertRequest {
  std::string in_path;
  std::string peer = "llama.cpp";
  std::optional<std::string> model_label;  // default: from the first test's model file or type
  std::string time_unit = "ns";
};

// Writes the document to `out`. Throws CompareError: kExitUsage (unknown time unit), kExitInput
// (unreadable or unparsable input, "<file>: <what the parser says>"; unwritable output).
void convert_llama_bench(const ConvertRequest& req, std::ostream& out);

// The same to `out_path` ("-" or empty: stdout). A file is written to a temporary beside it and
// renamed at the end, so a failed conversion leaves no half file (and an existing one intact).
void convert_llama_bench_to(const ConvertRequest& req, const std::string& out_path);

}  // namespace bitnet::compare
