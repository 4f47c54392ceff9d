// Benchmark case names: one grammar shared by the suite, its JSON validator and the diff tool.
//
//   <family>/<label>.../<key>:<value>.../[hot|cold][/real_time][_<aggregate>]
//
// Labels are positional (format, implementation, model), arguments are key:value in a fixed order
// per family, and the residency says whether weights were cache-hot or rotated through DRAM.
// Google Benchmark appends "/real_time" (every case is timed on the wall clock because the work is
// spread over a thread pool) and "_mean"/"_median"/"_stddev"/"_cv" to aggregate rows.
// docs/benchmarks.md lists the per-family grammar (kFamilies below is the source of truth).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bitnet::bench {

struct CaseName {
  std::string family;                                     // gemv gemm dequant quant_act ...
  std::vector<std::string> labels;                        // positional segments
  std::vector<std::pair<std::string, std::string>> args;  // key:value segments, in order
  std::string residency;                                  // "hot", "cold" or empty
  std::string time_type;                                  // "real_time" when GB appended it
  std::string aggregate;                                  // "mean", "median", ... or empty

  // The name as registered (no time type, no aggregate).
  std::string str() const;
  std::optional<std::string_view> arg(std::string_view key) const;
  std::optional<int64_t> int_arg(std::string_view key) const;
};

// The grammar of one family: label names, argument keys (all required, in this order), and
// whether the hot/cold residency segment is required. Every argument value is an integer.
struct FamilyGrammar {
  std::string_view family;
  std::vector<std::string_view> labels;  // the first `min_labels` are required
  size_t min_labels;
  std::vector<std::string_view> keys;  // integer-valued, all required
  bool residency;
};
std::span<const FamilyGrammar> families();
const FamilyGrammar* find_family(std::string_view family);

struct ParsedName {
  std::optional<CaseName> name;
  std::string error;  // why the name does not parse (empty on success)
};

// Parses a name as it appears in the JSON "name" or "run_name" field and checks it against its
// family's grammar (labels, keys, integer values, residency, gemv <=> N:1).
ParsedName parse_case_name(std::string_view name);

// A label is lower-case [a-z0-9_.-]+; this maps anything else (e.g. a model file name) onto it.
std::string sanitize_label(std::string_view text);

}  // namespace bitnet::bench
