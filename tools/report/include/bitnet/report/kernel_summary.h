// Per case (format, shape, threads, residency): the fastest kernel, what dispatch picked, both
// as speed-ups over the scalar reference, and a flag when dispatch's pick is not the fastest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bitnet/report/run_data.h"

namespace bitnet::report {

struct KernelCase {
  std::string family;  // gemv, gemm, dequant, quant_act
  std::string key;     // the name without the implementation label
  std::string best_impl;
  double best_time = 0;         // ns, median
  std::string dispatch_kernel;  // dispatch row's label (registry name)
  std::string dispatch_impl;    // the implementation row with that label, if measured
  std::optional<double> dispatch_time;
  std::optional<double> scalar_time;
  std::size_t kernels = 0;  // implementation rows measured (dispatch not counted)
  // Dispatch row slower than the best kernel by this fraction (0 when it is the best).
  double dispatch_loss = 0;
  bool dispatch_not_best = false;  // pick measured and another kernel was faster
  bool flagged = false;            // ... by at least the flag threshold
};

// Cases with at least one implementation row besides dispatch; `flag_threshold` is the loss
// (0.05 = 5 %) from which a not-best pick is flagged rather than called noise.
std::vector<KernelCase> kernel_summary(const RunData& run, double flag_threshold = 0.05);

}  // namespace bitnet::report
