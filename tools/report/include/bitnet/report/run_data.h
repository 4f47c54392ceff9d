// One benchmark run reduced to what the report draws: per row the median of every metric over
// its repetitions, the parsed case name, and the kernel label. Read through bench-diff's result
// reader, so the report accepts exactly what bench-diff accepts.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bitnet/results/naming.h"
#include "bitnet/results/results.h"

namespace bitnet::report {

struct Row {
  std::string name;                         // run_name as written (registration order kept)
  std::optional<bench::CaseName> parsed;    // empty: the name is not in the suite's grammar
  std::string peer;                         // "llama.cpp" for peer/<peer>/... rows, else empty
  std::string label;                        // the row's label (matmul: the kernel's registry name)
  std::map<std::string, double> median;     // metric -> median over repetitions
  std::map<std::string, double> low, high;  // metric -> smallest / largest repetition
  std::size_t repetitions = 0;
  bool errored = false, skipped = false;
  std::string message;

  // The median of `metric`, if the row has it.
  std::optional<double> get(const std::string& metric) const;
  std::optional<int64_t> arg(std::string_view key) const;  // a key:value of the parsed name
  std::string label_at(std::size_t i) const;               // a positional label or ""
};

struct RunData {
  std::string source;
  nlohmann::json context;
  std::vector<Row> rows;
  diff::ResultSet results;  // what the rows came from (bench-diff compares these)

  const Row* find(const std::string& name) const;
  std::string date() const;  // context.date or ""
};

double median_of(std::vector<double> v);

// A kernel's registry name as a short label for charts: "matmul_tq2_0_q8k_4x1__avx2" ->
// "avx2 4x1", "dequant_tq2_0_f32_1x1__scalar" -> "scalar"; any other text (dispatch, older
// suffix labels such as avx2.4x1) unchanged.
std::string short_impl(const std::string& impl);
// Whether an implementation label is the scalar reference (registry name "…__scalar", or the
// older "scalar").
bool is_scalar_impl(const std::string& impl);

// Builds a RunData from a result set read by bitnet::diff (files, history directories).
RunData make_run(diff::ResultSet set);
RunData load_run(const std::filesystem::path& path);

}  // namespace bitnet::report
