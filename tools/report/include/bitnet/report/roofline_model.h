// Roofline series per thread count: every matmul row as (arithmetic intensity, achieved GOPS),
// and the machine's measured ceilings (DRAM / L3 / L2 read bandwidth, int8 multiply-add peak).
#pragma once

#include <string>
#include <vector>

#include "bitnet/report/machine_model.h"
#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct RooflinePoint {
  std::string name;    // the row's benchmark name
  std::string format;  // tq2_0, tq1_0, i2_s
  std::string impl;    // short_impl(): dispatch, "avx2 4x1", ... (peer rows: peer.llama.cpp)
  std::string shape;   // "2560x2560 N:1"
  bool cold = false;
  double intensity = 0;  // ops per weight byte: GOPS * 1e9 / bytes_per_second
  double gops = 0;
};

struct Ceiling {
  std::string name;  // "DRAM read", "L2 read", "int8 peak (avx512vnni)"
  double value = 0;  // GB/s for a bandwidth (a slope), GOPS for a peak (flat)
  bool bandwidth = true;
};

struct RooflineChart {
  int threads = 0;
  std::vector<Ceiling> ceilings;
  std::vector<RooflinePoint> points;
};

// One chart per thread count that has matmul rows, in increasing thread count.
std::vector<RooflineChart> roofline_charts(const RunData& run, const MachineInfo& machine);

}  // namespace bitnet::report
