// The per-machine header: what the run says about the CPU, its measured limits, the dispatch
// picks, and any tuning table the suite recorded in the context.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct MachineLimit {
  std::string limit;  // dram_read, l3_read, l2_read, int8_peak
  std::string isa;    // int8_peak: avx2 / avx512vnni; else empty
  int threads = 0;
  double value = 0;  // bytes/s for the reads, ops/s for int8_peak
  bool bandwidth() const { return limit != "int8_peak"; }
};

struct MachineInfo {
  std::vector<std::pair<std::string, std::string>> facts;  // "CPU" -> "AMD EPYC", ...
  std::vector<std::string> features;
  std::vector<MachineLimit> limits;                           // sorted by limit, isa, threads
  std::vector<std::pair<std::string, std::string>> dispatch;  // "matmul_tq2_0_n1" -> kernel
  std::vector<std::pair<std::string, std::string>> tuning;    // bitnet_tuning* keys, if any
};

MachineInfo machine_info(const RunData& run);

// The limit for (limit, isa, threads) in `info`, or 0 when the run did not record it.
double find_limit(const MachineInfo& info, const std::string& limit, const std::string& isa,
                  int threads);

}  // namespace bitnet::report
