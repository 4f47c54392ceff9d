#include "bitnet/compare/peer_output.h"

#include <charconv>
#include <cstdint>
#include <map>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bitnet/compare/input_file.h"

namespace bitnet::compare {
namespace {

using nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The whole (trimmed) field must be a T; `kind` names it in the error ("a number", "an integer").
template <class T>
T parse_field(std::string_view s, std::string_view what, std::string_view kind) {
  s = trim(s);
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    throw ParseError(fmt::format("{}: '{}' is not {}", what, s, kind));
  return v;
}

double to_double(std::string_view s, std::string_view what) {
  return parse_field<double>(s, what, "a number");
}

long to_long(std::string_view s, std::string_view what) {
  return parse_field<long>(s, what, "an integer");
}

// Bounds no real run reaches: a parsed 1e308 or 2^64 - 1 is a broken peer, not a result.
constexpr double kMaxTokensPerSecond = 1e9;
constexpr double kMaxNanoseconds = 1e15;  // ~11.6 days
constexpr double kMaxCount = 1 << 24;     // threads, prompt or generated tokens

// Checks that a plausible measurement, naming the field otherwise.
void check_plausible(double v, double lo, double hi, const std::string& where, const char* field) {
  if (!(v >= lo && v <= hi))
    throw ParseError(fmt::format("{}: field '{}' = {} is outside the plausible range [{}, {}]",
                                 where, field, v, lo, hi));
}

// A thread or token count: an integer in [0, kMaxCount] (stoi/static_cast would throw or wrap).
int to_count(std::string_view s, std::string_view what) {
  const long v = to_long(s, what);
  if (v < 0 || v > static_cast<long>(kMaxCount))
    throw ParseError(fmt::format("{}: {} is outside the plausible range [0, {}]", what, v,
                                 static_cast<long>(kMaxCount)));
  return static_cast<int>(v);
}

// Checks what every test needs, whatever the format.
void validate(const BenchTest& t, const std::string& where) {
  check_plausible(t.avg_ts, 0, kMaxTokensPerSecond, where, "avg_ts");
  check_plausible(t.stddev_ts, 0, kMaxTokensPerSecond, where, "stddev_ts");
  check_plausible(t.avg_ns, 0, kMaxNanoseconds, where, "avg_ns");
  check_plausible(t.stddev_ns, 0, kMaxNanoseconds, where, "stddev_ns");
  for (double v : t.samples_ns) check_plausible(v, 0, kMaxNanoseconds, where, "samples_ns");
  for (double v : t.samples_ts) check_plausible(v, 0, kMaxTokensPerSecond, where, "samples_ts");
  if (t.n_threads <= 0) throw ParseError(fmt::format("{}: n_threads must be > 0", where));
  if (t.n_prompt < 0 || t.n_gen < 0 || t.n_prompt + t.n_gen == 0)
    throw ParseError(
        fmt::format("{}: n_prompt={} n_gen={}: no tokens", where, t.n_prompt, t.n_gen));
  if (!(t.avg_ts > 0)) throw ParseError(fmt::format("{}: avg_ts must be > 0", where));
  if (t.samples_ns.size() != t.samples_ts.size())
    throw ParseError(fmt::format("{}: samples_ns has {} values but samples_ts has {}", where,
                                 t.samples_ns.size(), t.samples_ts.size()));
  for (double v : t.samples_ns)
    if (!(v > 0)) throw ParseError(fmt::format("{}: samples_ns holds a non-positive value", where));
}

BenchTest from_json_object(const json& o, const std::string& where) {
  if (!o.is_object()) throw ParseError(fmt::format("{}: expected an object", where));
  BenchTest t;
  auto need = [&](const char* key) -> const json& {
    auto it = o.find(key);
    if (it == o.end()) throw ParseError(fmt::format("{}: missing field '{}'", where, key));
    return *it;
  };
  auto num = [&](const char* key) -> double {
    const json& v = need(key);
    if (!v.is_number()) throw ParseError(fmt::format("{}: field '{}' is not a number", where, key));
    return v.get<double>();
  };
  auto str = [&](const char* key) -> std::string {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  t.build_commit = str("build_commit");
  if (auto it = o.find("build_number"); it != o.end() && it->is_number())
    t.build_number = it->get<long>();
  t.cpu_info = str("cpu_info");
  t.model_filename = str("model_filename");
  t.model_type = str("model_type");
  t.test_time = str("test_time");
  // Range-checked before the cast: converting 1e308 to int is undefined behaviour.
  auto count = [&](const char* key) {
    const double v = num(key);
    check_plausible(v, 0, kMaxCount, where, key);
    return static_cast<int>(v);
  };
  t.n_threads = count("n_threads");
  t.n_prompt = count("n_prompt");
  t.n_gen = count("n_gen");
  t.avg_ns = num("avg_ns");
  t.stddev_ns = num("stddev_ns");
  t.avg_ts = num("avg_ts");
  t.stddev_ts = num("stddev_ts");
  for (const char* key : {"samples_ns", "samples_ts"}) {
    auto it = o.find(key);
    if (it == o.end()) continue;  // older llama-bench builds did not print samples
    if (!it->is_array())
      throw ParseError(fmt::format("{}: field '{}' is not an array", where, key));
    auto& dst = std::string_view(key) == "samples_ns" ? t.samples_ns : t.samples_ts;
    for (const auto& v : *it) {
      if (!v.is_number())
        throw ParseError(fmt::format("{}: field '{}' holds a non-number", where, key));
      dst.push_back(v.get<double>());
    }
  }
  validate(t, where);
  return t;
}

// One CSV record (RFC 4180 quoting: "a ""b"" c"), from one line.
std::vector<std::string> split_csv(std::string_view line, const std::string& where) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        cur += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cur));
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  if (quoted) throw ParseError(fmt::format("{}: unterminated quote", where));
  out.push_back(std::move(cur));
  return out;
}

// llama-bench csv, one line at a time: the first non-blank line is the header.
class CsvRows {
 public:
  // The test on `line` (1-based `line_no`); nullopt for blank lines and the header.
  std::optional<BenchTest> line(std::string_view line, size_t line_no) {
    if (trim(line).empty()) return std::nullopt;
    std::string where = fmt::format("llama-bench csv line {}", line_no);
    auto cells = split_csv(line, where);
    if (header_.empty()) {
      header_ = std::move(cells);
      return std::nullopt;
    }
    if (cells.size() != header_.size())
      throw ParseError(
          fmt::format("{}: {} fields, the header has {}", where, cells.size(), header_.size()));
    std::map<std::string, std::string> row;
    for (size_t k = 0; k < header_.size(); ++k) row[header_[k]] = cells[k];
    auto need = [&](const char* key) -> const std::string& {
      auto it = row.find(key);
      if (it == row.end()) throw ParseError(fmt::format("{}: no column '{}'", where, key));
      return it->second;
    };
    auto field = [&](const char* key) { return fmt::format("{} field '{}'", where, key); };
    BenchTest t;
    t.build_commit = row["build_commit"];
    if (!row["build_number"].empty())
      t.build_number = to_long(row["build_number"], field("build_number"));
    t.cpu_info = row["cpu_info"];
    t.model_filename = row["model_filename"];
    t.model_type = row["model_type"];
    t.test_time = row["test_time"];
    t.n_threads = to_count(need("n_threads"), field("n_threads"));
    t.n_prompt = to_count(need("n_prompt"), field("n_prompt"));
    t.n_gen = to_count(need("n_gen"), field("n_gen"));
    t.avg_ns = to_double(need("avg_ns"), field("avg_ns"));
    t.stddev_ns = to_double(need("stddev_ns"), field("stddev_ns"));
    t.avg_ts = to_double(need("avg_ts"), field("avg_ts"));
    t.stddev_ts = to_double(need("stddev_ts"), field("stddev_ts"));
    validate(t, where);
    return t;
  }
  // Called at the end of the input.
  void finish() const {
    if (header_.empty()) throw ParseError("llama-bench csv: empty output");
  }

 private:
  std::vector<std::string> header_;
};

std::vector<BenchTest> parse_csv(std::string_view text) {
  auto lines = split_lines(text);
  CsvRows csv;
  std::vector<BenchTest> tests;
  for (size_t i = 0; i < lines.size(); ++i)
    if (auto t = csv.line(lines[i], i + 1)) tests.push_back(std::move(*t));
  csv.finish();
  return tests;
}

// One llama-bench jsonl line (1-based `line_no`); nullopt for a blank one.
std::optional<BenchTest> jsonl_test(std::string_view line, size_t line_no) {
  if (trim(line).empty()) return std::nullopt;
  std::string where = fmt::format("llama-bench jsonl line {}", line_no);
  json o;
  try {
    o = json::parse(line.begin(), line.end());
  } catch (const json::parse_error& e) {
    throw ParseError(fmt::format("{}: not valid JSON at column {}", where, e.byte));
  } catch (const json::exception& e) {
    throw ParseError(fmt::format("{}: {}", where, e.what()));
  }
  return from_json_object(o, where);
}

std::vector<std::string> split_md_row(std::string_view line) {
  std::vector<std::string> cells;
  line = trim(line);
  if (!line.empty() && line.front() == '|') line.remove_prefix(1);
  if (!line.empty() && line.back() == '|') line.remove_suffix(1);
  size_t start = 0;
  for (;;) {
    size_t bar = line.find('|', start);
    cells.emplace_back(trim(line.substr(start, bar == std::string_view::npos ? bar : bar - start)));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return cells;
}

std::vector<BenchTest> parse_markdown(std::string_view text) {
  static const std::regex build_re(R"(^build:\s*(\S+)\s*\((\d+)\))");
  static const std::regex pp_tg_re(R"(^(pp|tg)\s*(\d+)$)");
  static const std::regex pg_re(R"(^pp(\d+)\s*\+\s*tg(\d+)$)");
  static const std::regex ts_re(R"(^([0-9.eE+-]+)\s*±\s*([0-9.eE+-]+)$)");
  auto lines = split_lines(text);
  std::vector<BenchTest> tests;
  std::vector<std::string> header;
  size_t table_start = 0;  // first test of the current table (the build line applies to it)
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = trim(lines[i]);
    std::string where = fmt::format("llama-bench md line {}", i + 1);
    std::cmatch m;
    if (std::regex_search(line.begin(), line.end(), m, build_re)) {
      for (size_t k = table_start; k < tests.size(); ++k) {
        tests[k].build_commit = m[1].str();
        tests[k].build_number = to_long(m[2].str(), where + " build number");
      }
      table_start = tests.size();
      header.clear();
      continue;
    }
    if (line.empty() || line.front() != '|') continue;
    auto cells = split_md_row(line);
    if (header.empty()) {
      header = std::move(cells);
      continue;
    }
    if (!cells.empty() && cells[0].find("---") != std::string::npos) continue;  // separator row
    if (cells.size() != header.size())
      throw ParseError(
          fmt::format("{}: {} cells, the header has {}", where, cells.size(), header.size()));
    std::map<std::string, std::string> row;
    for (size_t k = 0; k < header.size(); ++k) row[header[k]] = cells[k];
    auto need = [&](const char* key) -> const std::string& {
      auto it = row.find(key);
      if (it == row.end()) throw ParseError(fmt::format("{}: no column '{}'", where, key));
      return it->second;
    };
    BenchTest t;
    t.model_type = row["model"];
    t.n_threads = to_count(need("threads"), where + " column 'threads'");
    const std::string& test = need("test");
    std::smatch tm;
    if (std::regex_match(test, tm, pp_tg_re)) {
      (tm[1] == "pp" ? t.n_prompt : t.n_gen) = to_count(tm[2].str(), where + " column 'test'");
    } else if (std::regex_match(test, tm, pg_re)) {
      t.n_prompt = to_count(tm[1].str(), where + " column 'test'");
      t.n_gen = to_count(tm[2].str(), where + " column 'test'");
    } else {
      throw ParseError(
          fmt::format("{}: column 'test': '{}' is not ppN, tgN or ppN+tgN", where, test));
    }
    const std::string& ts = need("t/s");
    std::smatch sm;
    if (!std::regex_match(ts, sm, ts_re))
      throw ParseError(fmt::format("{}: column 't/s': '{}' is not 'mean ± stddev'", where, ts));
    t.avg_ts = to_double(sm[1].str(), where + " column 't/s'");
    t.stddev_ts = to_double(sm[2].str(), where + " column 't/s'");
    validate(t, where);
    tests.push_back(std::move(t));
  }
  if (tests.empty()) throw ParseError("llama-bench md: no table rows found");
  return tests;
}

}  // namespace

std::string_view format_name(BenchFormat f) {
  switch (f) {
    case BenchFormat::kJson:
      return "json";
    case BenchFormat::kJsonl:
      return "jsonl";
    case BenchFormat::kCsv:
      return "csv";
    case BenchFormat::kMarkdown:
      return "md";
  }
  return "?";
}

namespace {
std::vector<BenchTest> parse_llama_bench_format(std::string_view text, BenchFormat format) {
  switch (format) {
    case BenchFormat::kJson: {
      json doc;
      try {
        doc = json::parse(text.begin(), text.end());
      } catch (const json::parse_error& e) {
        throw ParseError(
            fmt::format("llama-bench json: not valid JSON at byte {}: {}", e.byte, e.what()));
      } catch (const json::exception& e) {  // e.g. out_of_range: a number beyond double
        throw ParseError(fmt::format("llama-bench json: {}", e.what()));
      }
      if (!doc.is_array()) throw ParseError("llama-bench json: top level is not an array");
      if (doc.empty()) throw ParseError("llama-bench json: no tests in the array");
      std::vector<BenchTest> tests;
      for (size_t i = 0; i < doc.size(); ++i)
        tests.push_back(from_json_object(doc[i], fmt::format("llama-bench json test [{}]", i)));
      return tests;
    }
    case BenchFormat::kJsonl: {
      std::vector<BenchTest> tests;
      auto lines = split_lines(text);
      for (size_t i = 0; i < lines.size(); ++i)
        if (auto t = jsonl_test(lines[i], i + 1)) tests.push_back(std::move(*t));
      if (tests.empty()) throw ParseError("llama-bench jsonl: empty output");
      return tests;
    }
    case BenchFormat::kCsv:
      return parse_csv(text);
    case BenchFormat::kMarkdown:
      return parse_markdown(text);
  }
  throw ParseError("unknown llama-bench format");
}
}  // namespace

std::vector<BenchTest> parse_llama_bench(std::string_view text, BenchFormat format) {
  // A UTF-8 byte order mark (an editor's) is not part of any format.
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<BenchTest> tests = parse_llama_bench_format(text, format);
  // Every caller reads tests[0] for the build and CPU facts: "no rows" is an error, here, once.
  if (tests.empty())
    throw ParseError(fmt::format("llama-bench {}: no test rows", format_name(format)));
  return tests;
}

std::vector<BenchTest> parse_llama_bench_any(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t p = text.find_first_not_of(" \t\r\n");
  if (p == std::string_view::npos) throw ParseError("llama-bench printed nothing on stdout");
  switch (text[p]) {
    case '[':
      return parse_llama_bench(text, BenchFormat::kJson);
    case '{':
      return parse_llama_bench(text, BenchFormat::kJsonl);
    case '|':
      return parse_llama_bench(text, BenchFormat::kMarkdown);
    default:
      return parse_llama_bench(text, BenchFormat::kCsv);
  }
}

void for_each_llama_bench_test(InputStream& in,
                               const std::function<void(const BenchTest&)>& on_test) {
  const int first = in.first_non_blank();
  if (first < 0) throw ParseError("llama-bench printed nothing on stdout");
  size_t count = 0;
  auto emit = [&](const BenchTest& t) {
    ++count;
    on_test(t);
  };
  std::string line;
  std::string_view name;
  if (first == '[') {
    name = "json";
    // Each element of the top-level array is converted when it is complete and then dropped
    // (the callback returns false), so the document is never held whole.
    constexpr int kMaxDepth = 64;  // llama-bench nests two deep; a hostile file is refused
    size_t index = 0;
    const json::parser_callback_t cb = [&](int depth, json::parse_event_t ev, json& parsed) {
      if (depth > kMaxDepth)
        throw ParseError(
            fmt::format("llama-bench json test [{}]: nested deeper than {}", index, kMaxDepth));
      const bool element_done =
          depth == 1 && (ev == json::parse_event_t::object_end ||
                         ev == json::parse_event_t::array_end || ev == json::parse_event_t::value);
      if (!element_done) return true;
      emit(from_json_object(parsed, fmt::format("llama-bench json test [{}]", index++)));
      return false;
    };
    try {
      // The callback consumes each test as it completes; the (pruned) document is not needed.
      const json rest = json::parse(in.stream(), cb);
      static_cast<void>(rest);
    } catch (const json::parse_error& e) {
      throw ParseError(
          fmt::format("llama-bench json: not valid JSON at byte {}: {}", e.byte, e.what()));
    } catch (const json::exception& e) {
      throw ParseError(fmt::format("llama-bench json: {}", e.what()));
    }
    if (count == 0) throw ParseError("llama-bench json: no tests in the array");
  } else if (first == '{') {
    name = "jsonl";
    while (in.next_line(line))
      if (auto t = jsonl_test(line, in.line_number())) emit(*t);
    if (count == 0) throw ParseError("llama-bench jsonl: empty output");
  } else if (first == '|') {
    // A build line after each table applies to the rows above it: md is read whole (it is the
    // human-readable form, never large), within read_input_file's bound.
    name = "md";
    for (const BenchTest& t : parse_llama_bench(read_input_file(in.path()), BenchFormat::kMarkdown))
      emit(t);
  } else {
    name = "csv";
    CsvRows csv;
    while (in.next_line(line))
      if (auto t = csv.line(line, in.line_number())) emit(*t);
    csv.finish();
  }
  if (count == 0) throw ParseError(fmt::format("llama-bench {}: no test rows", name));
}

CliTimings parse_cli_timings(std::string_view text) {
  // Both formats print "<func>: <what> time = <ms> ms [/ <n> runs|tokens (...)]".
  static const std::regex re(
      R"(^(llama_perf_context_print|llama_print_timings):\s+(load|sample|prompt eval|eval|total) time\s*=\s*([0-9.]+) ms(?:\s*/\s*(\d+) (runs|tokens))?)");
  CliTimings t;
  bool have_eval = false, have_prompt = false, have_any = false;
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line(trim(lines[i]));
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;
    have_any = true;
    t.format =
        m[1] == "llama_print_timings" ? TimingFormat::kPrintTimings : TimingFormat::kPerfContext;
    const std::string what = m[2].str();
    std::string where = fmt::format("llama-cli stderr line {} ('{}')", i + 1, line);
    double ms = to_double(m[3].str(), where);
    check_plausible(ms, 0, kMaxNanoseconds / 1e6, where, "time (ms)");
    int n = m[4].matched ? to_count(m[4].str(), where) : 0;
    if (what == "load")
      t.load_ms = ms;
    else if (what == "total")
      t.total_ms = ms;
    else if (what == "prompt eval") {
      if (!m[4].matched) throw ParseError(where + ": no token count");
      t.prompt_eval_ms = ms, t.prompt_tokens = n, have_prompt = true;
    } else if (what == "eval") {
      if (!m[4].matched) throw ParseError(where + ": no run count");
      t.eval_ms = ms, t.eval_runs = n, have_eval = true;
    }
  }
  if (!have_any)
    throw ParseError(
        "llama-cli stderr: no timing lines (neither 'llama_perf_context_print:' nor "
        "'llama_print_timings:'); did it exit before generating?");
  if (!have_eval)
    throw ParseError("llama-cli stderr: timing lines present but no 'eval time' line");
  if (!have_prompt)
    throw ParseError("llama-cli stderr: timing lines present but no 'prompt eval time' line");
  return t;
}

std::vector<PromptToken> parse_verbose_prompt(std::string_view text) {
  static const std::regex count_re(R"(number of tokens in prompt = (\d+))");
  static const std::regex tok_re(R"(^\s*(\d+) -> '([\s\S]*)'$)");
  auto lines = split_lines(text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string line(lines[i]);
    std::smatch m;
    if (!std::regex_search(line, m, count_re)) continue;
    const auto n = static_cast<size_t>(
        to_count(m[1].str(), fmt::format("llama-cli --verbose-prompt line {}", i + 1)));
    std::vector<PromptToken> toks;
    size_t j = i + 1;
    while (toks.size() < n) {
      if (j >= lines.size())
        throw ParseError(
            fmt::format("llama-cli --verbose-prompt: expected {} tokens after line {}, found {}", n,
                        i + 1, toks.size()));
      std::string entry(lines[j++]);
      // A piece holding a newline (e.g. <0x0A>) spills onto the next line: join a few lines.
      for (int extra = 0; extra < 3 && !std::regex_match(entry, tok_re) && j < lines.size();
           ++extra) {
        entry += '\n';
        entry += lines[j++];
      }
      std::smatch tm;
      if (!std::regex_match(entry, tm, tok_re))
        throw ParseError(fmt::format(
            "llama-cli --verbose-prompt line {}: '{}' is not \"<id> -> '<piece>'\"", j, entry));
      const long id = to_long(tm[1].str(), fmt::format("llama-cli --verbose-prompt line {}", j));
      if (id < 0 || id > INT32_MAX)
        throw ParseError(
            fmt::format("llama-cli --verbose-prompt line {}: token id {} is out of range", j, id));
      toks.push_back({static_cast<int>(id), tm[2].str()});
    }
    return toks;
  }
  return {};
}

std::optional<std::string> find_load_error(std::string_view text) {
  for (auto raw : split_lines(text)) {
    std::string_view line = trim(raw);
    for (const char* key :
         {"failed to open GGUF file", "gguf_init_from_file", "error loading model",
          "unable to load model", "failed to load model"}) {
      if (line.find(key) != std::string_view::npos) return std::string(line);
    }
  }
  return std::nullopt;
}

}  // namespace bitnet::compare
