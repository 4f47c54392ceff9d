#include "bitnet/report/roofline_model.h"

#include <map>

#include <fmt/format.h>

namespace bitnet::report {

std::vector<RooflineChart> roofline_charts(const RunData& run, const MachineInfo& machine) {
  std::map<int, RooflineChart> by_threads;
  for (const Row& r : run.rows) {
    if (!r.parsed || (r.parsed->family != "gemv" && r.parsed->family != "gemm")) continue;
    const auto gops = r.get("GOPS"), bps = r.get("bytes_per_second");
    const auto threads = r.arg("threads");
    if (!gops || !bps || !threads || *bps <= 0 || *gops <= 0) continue;
    RooflinePoint p;
    p.name = r.name;
    p.format = r.label_at(0);
    p.impl = short_impl(r.label_at(1));
    p.shape = fmt::format("{}x{} N:{}", r.arg("M").value_or(0), r.arg("K").value_or(0),
                          r.arg("N").value_or(0));
    p.cold = r.parsed->residency == "cold";
    p.gops = *gops;
    p.intensity = *gops * 1e9 / *bps;
    RooflineChart& c = by_threads[static_cast<int>(*threads)];
    c.threads = static_cast<int>(*threads);
    c.points.push_back(std::move(p));
  }
  std::vector<RooflineChart> out;
  for (auto& [threads, chart] : by_threads) {
    static constexpr struct {
      const char* limit;
      const char* name;
    } kReads[] = {{"dram_read", "DRAM read"}, {"l3_read", "L3 read"}, {"l2_read", "L2 read"}};
    for (const auto& read : kReads)
      if (double v = find_limit(machine, read.limit, "", threads); v > 0)
        chart.ceilings.push_back({read.name, v / 1e9, true});
    for (const MachineLimit& l : machine.limits)
      if (l.limit == "int8_peak" && l.threads == threads)
        chart.ceilings.push_back({"int8 peak (" + l.isa + ")", l.value / 1e9, false});
    out.push_back(std::move(chart));
  }
  return out;
}

}  // namespace bitnet::report
