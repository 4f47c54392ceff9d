// CSV output that works when benchmark families report different counters. Google Benchmark's
// CSVReporter fixes its columns from the first family it sees and aborts ("All counters must be
// present in each run") on the next one; this reporter keeps every run until the end and writes
// one header with the union of counter names, leaving a cell empty where a row has no such
// counter. Columns, in order: name, iterations, real_time, cpu_time, time_unit,
// bytes_per_second, items_per_second, label, error_occurred, error_message (as Google
// Benchmark's), then every other counter in name order. The run context goes to the JSON output
// only (a CSV file holds rows and nothing else); on the console it is printed to stderr.
#pragma once

#include <benchmark/benchmark.h>

#include <vector>

namespace bitnet::bench {

class UnionCsvReporter : public benchmark::BenchmarkReporter {
 public:
  // print_context: write Google Benchmark's context summary to the error stream (display use).
  explicit UnionCsvReporter(bool print_context) : print_context_(print_context) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

 private:
  bool print_context_;
  std::vector<Run> runs_;
};

// Google Benchmark's JSON, except that the coefficient of variation of a counter that is 0 in
// every repetition (e.g. major_faults) is written as 0: 1.7.1 computes 0/0 and writes NaN, which
// is not JSON and makes the whole file unreadable to every JSON parser.
class FiniteJsonReporter : public benchmark::JSONReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;
};

}  // namespace bitnet::bench
