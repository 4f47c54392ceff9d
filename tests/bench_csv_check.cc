// bench_csv_check FILE MIN_ROWS: the suite's CSV has a header starting "name,iterations", at least
// MIN_ROWS rows, every row as many fields as the header (quoted fields may hold commas), and no
// row flagged error_occurred. Exit 0 when all hold, 1 otherwise (each problem printed).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_csv_check FILE MIN_ROWS\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "bench_csv_check: cannot open %s\n", argv[1]);
    return 1;
  }
  std::string line;
  int problems = 0;
  size_t rows = 0, width = 0, err_col = 0;
  // Google Benchmark may print its context before the header on the same stream: skip to it.
  while (std::getline(in, line) && line.rfind("name,iterations,", 0) != 0) {
  }
  if (line.rfind("name,iterations,", 0) != 0) {
    std::fprintf(stderr, "bench_csv_check: %s: no header line\n", argv[1]);
    return 1;
  }
  const auto header = fields(line);
  width = header.size();
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == "error_occurred") err_col = i;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++rows;
    const auto f = fields(line);
    if (f.size() != width) {
      std::fprintf(stderr, "bench_csv_check: row %zu has %zu fields, header %zu: %s\n", rows,
                   f.size(), width, line.c_str());
      ++problems;
    } else if (f[err_col] == "true") {
      std::fprintf(stderr, "bench_csv_check: row %zu reports an error: %s\n", rows, line.c_str());
      ++problems;
    }
  }
  const size_t min_rows = std::strtoul(argv[2], nullptr, 10);
  if (rows < min_rows) {
    std::fprintf(stderr, "bench_csv_check: %zu rows, expected at least %zu\n", rows, min_rows);
    ++problems;
  }
  if (problems) return 1;
  std::printf("%s: %zu rows x %zu columns\n", argv[1], rows, width);
  return 0;
}
