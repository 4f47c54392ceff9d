// Validates the JSON of a bitnet_benches run (ctest runs the suite in --bitnet_quick mode, then
// this): every expected family present, every name parses against the grammar, the counters each
// family promises are present and finite, the context carries what reproduces the run, and no
// case errored except "CPU lacks <isa>" for an ISA this CPU really lacks.
// Usage: bench_json_check FILE FAMILY[,FAMILY...]   (exit 0 = valid; messages name the row)
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/results/naming.h"

namespace {

using nlohmann::json;

int g_errors = 0;
void error(const std::string& msg) {
  std::fprintf(stderr, "bench_json_check: %s\n", msg.c_str());
  ++g_errors;
}

// Counters each family must report (besides real_time/cpu_time).
std::vector<std::string> required_counters(const std::string& family) {
  if (family == "gemv" || family == "gemm") {
    std::vector<std::string> c = {"bytes_per_second", "GOPS", "bits_per_weight", "bw_frac"};
    if (bitnet::cpu_has(bitnet::Isa::kAvx2)) c.push_back("peak_frac");
    return c;
  }
  if (family == "dequant")
    return {"bytes_per_second", "items_per_second", "bits_per_weight", "bw_frac"};
  if (family == "quant_act") return {"bytes_per_second", "items_per_second"};
  if (family == "decode" || family == "prefill")
    return {"tokens_per_second", "weight_bytes_per_token", "bw_frac", "resident_frac",
            "major_faults"};
  return {};
}

// The kernel op whose rows a family holds (nullopt: not a kernel family).
std::optional<bitnet::Op> kernel_op(const std::string& family) {
  if (family == "gemv" || family == "gemm") return bitnet::Op::kMatmul;
  if (family == "dequant") return bitnet::Op::kDequant;
  if (family == "quant_act") return bitnet::Op::kQuantAct;
  return std::nullopt;
}

std::string format_label(bitnet::TypeId t) {
  const auto tr = bitnet::type_traits(static_cast<uint32_t>(t));
  std::string s = tr ? std::string(tr->name) : "?";
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void check_row(const json& row, size_t index, std::set<std::string>& families) {
  const std::string where = "benchmarks[" + std::to_string(index) + "]";
  if (!row.contains("name") || !row["name"].is_string()) return error(where + ": no name");
  const std::string name = row["name"];
  auto parsed = bitnet::bench::parse_case_name(name);
  if (!parsed.name) return error(where + ": " + parsed.error);
  const auto& n = *parsed.name;
  families.insert(n.family);
  if (n.time_type != "real_time") error(name + ": not timed on the wall clock (no /real_time)");
  if (row.value("error_occurred", false)) {
    const std::string msg = row.value("error_message", "");
    const std::string prefix = "CPU lacks ";
    if (msg.rfind(prefix, 0) == 0) {
      auto isa = bitnet::isa_from_name(msg.substr(prefix.size()));
      if (!isa) return error(name + ": error names an unknown ISA: " + msg);
      if (bitnet::cpu_has(*isa)) return error(name + ": says '" + msg + "' but this CPU has it");
      return;  // a clear, expected skip
    }
    return error(name + ": errored: " + msg);
  }
  // Kernel rows carry "dispatch" or the registry name of a kernel of the family's op (and, for
  // weight formats, of the row's format): the name is the one key from a row to its kernel.
  // Peer rows (--bitnet_peer) name the peer instead: peer.llama.cpp or peer.bitnet.cpp.
  if (n.labels.size() >= 2 && n.labels[1].starts_with("peer.")) {
    if (n.labels[1] != "peer.llama.cpp" && n.labels[1] != "peer.bitnet.cpp")
      return error(name + ": '" + n.labels[1] + "' is not a known peer");
  } else if (const auto op = kernel_op(n.family);
             op && n.labels.size() >= 2 && n.labels[1] != "dispatch") {
    const bitnet::KernelInfo* k = bitnet::find_kernel(n.labels[1]);
    if (k == nullptr) return error(name + ": '" + n.labels[1] + "' is not a registered kernel");
    if (k->op != *op) return error(name + ": " + n.labels[1] + " is not a " + n.family + " kernel");
    if (*op != bitnet::Op::kQuantAct && format_label(k->wtype) != n.labels[0])
      return error(name + ": " + n.labels[1] + " does not take " + n.labels[0] + " weights");
  }
  // The ISA skip must not be silent: a case of an ISA this CPU lacks has to carry that error.
  if (n.labels.size() >= 2) {
    const std::string& impl = n.labels[1];
    const bitnet::KernelInfo* k = bitnet::find_kernel(impl);
    auto isa = k ? std::optional(k->isa) : bitnet::isa_from_name(impl);
    if (isa && !bitnet::cpu_has(*isa)) error(name + ": ran although this CPU lacks " + impl);
  }
  // Aggregates (stddev, cv) may legitimately be 0; measured rows may not.
  const bool measured = row.value("run_type", "iteration") == "iteration";
  for (const char* t : {"real_time", "cpu_time"}) {
    if (!row.contains(t) || !row[t].is_number() || !std::isfinite(row[t].get<double>()) ||
        row[t].get<double>() < 0 || (measured && row[t].get<double>() == 0))
      error(name + ": " + t + " missing, non-finite, negative or (measured) zero");
  }
  for (const auto& c : required_counters(n.family)) {
    if (!row.contains(c) || !row[c].is_number()) {
      error(name + ": counter " + c + " missing");
    } else if (!std::isfinite(row[c].get<double>()) || row[c].get<double>() < 0) {
      error(name + ": counter " + c + " = " + row[c].dump() + " is not finite and >= 0");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_json_check FILE FAMILY[,FAMILY...]\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "bench_json_check: cannot open %s\n", argv[1]);
    return 2;
  }
  json j;
  try {
    j = json::parse(in);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_json_check: %s: not JSON: %s\n", argv[1], e.what());
    return 1;
  }
  if (!j.contains("context") || !j.contains("benchmarks") || !j["benchmarks"].is_array()) {
    std::fprintf(stderr, "bench_json_check: %s: no context/benchmarks\n", argv[1]);
    return 1;
  }
  for (const char* key :
       {"bitnet_version", "bitnet_git_commit", "bitnet_compiler", "bitnet_cxx_flags",
        "bitnet_cpu_model", "bitnet_cpu_features", "bitnet_threads", "bitnet_seed", "bitnet_mode",
        "bitnet_environment", "bitnet_dispatch_matmul_tq2_0_n1_t1", "bitnet_tuning",
        "bitnet_limit_dram_read/threads:1"}) {
    if (!j["context"].contains(key)) error(std::string("context lacks ") + key);
  }
  std::set<std::string> families;
  std::set<std::string> names;
  size_t i = 0;
  for (const auto& row : j["benchmarks"]) {
    if (row.contains("name") && row["name"].is_string() && !names.insert(row["name"]).second)
      error("duplicate row " + row["name"].get<std::string>());
    check_row(row, i++, families);
  }
  std::stringstream want(argv[2]);
  for (std::string f; std::getline(want, f, ',');)
    if (!families.count(f)) error("family '" + f + "' has no rows");
  if (g_errors) {
    std::fprintf(stderr, "bench_json_check: %s: %d problem(s) in %zu rows\n", argv[1], g_errors, i);
    return 1;
  }
  std::printf("bench_json_check: %s: %zu rows, families ok\n", argv[1], i);
  return 0;
}
