#include "bitnet/compare/convert.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "bitnet/compare/input_file.h"
#include "bitnet/compare/peer_output.h"
#include "bitnet/compare/peer_runner.h"

namespace bitnet::compare {

void convert_llama_bench(const ConvertRequest& req, std::ostream& out) {
  try {
    ns_per_unit(req.time_unit);
  } catch (const std::invalid_argument& e) {
    throw CompareError(kExitUsage, e.what());
  }
  InputStream in(req.in_path);
  std::unique_ptr<GbenchJsonWriter> writer;
  try {
    for_each_llama_bench_test(in, [&](const BenchTest& t) {
      if (!writer) {  // the context comes from the first test
        PeerContext ctx;
        ctx.peer = req.peer;
        ctx.tool = "llama-bench";
        ctx.build_commit = t.build_commit;
        ctx.build_number = t.build_number;
        ctx.cpu_info = t.cpu_info;
        ctx.model_type = t.model_type;
        ctx.model_path = t.model_filename;
        ctx.model_label = req.model_label.value_or(t.model_filename.empty()
                                                       ? sanitize_label(t.model_type)
                                                       : default_model_label(t.model_filename));
        ctx.command = "converted from " + req.in_path;
        writer = std::make_unique<GbenchJsonWriter>(out, ctx, req.time_unit);
      }
      writer->add(measurement_from_bench(t));
    });
  } catch (const ParseError& e) {
    throw CompareError(kExitInput, fmt::format("{}: {}", req.in_path, e.what()));
  }
  writer->finish();  // for_each_llama_bench_test throws when there is no test
  out << "\n";
  out.flush();
  if (!out) throw CompareError(kExitInput, "write error on the output");
}

void convert_llama_bench_to(const ConvertRequest& req, const std::string& out_path) {
  if (out_path.empty() || out_path == "-") {
    convert_llama_bench(req, std::cout);
    return;
  }
  const std::string tmp = fmt::format("{}.tmp.{}", out_path, getpid());
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw CompareError(kExitInput, fmt::format("cannot write '{}'", out_path));
      convert_llama_bench(req, out);
      out.close();
      if (!out) throw CompareError(kExitInput, fmt::format("cannot write '{}'", out_path));
    }
    if (std::rename(tmp.c_str(), out_path.c_str()) != 0)
      throw CompareError(kExitInput, fmt::format("cannot write '{}'", out_path));
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
}

}  // namespace bitnet::compare
