#include "bitnet/cli/values.h"

#include <sstream>

#include "bitnet/cli/app.h"

namespace bitnet::cli {

double parse_number(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size())
    throw UsageError(flag + ": expected a number, got \"" + text + "\"");
  return v;
}

int64_t parse_int(const std::string& flag, const std::string& text, int64_t lo, int64_t hi) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || v < lo || v > hi)
    throw UsageError(flag + ": expected an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got '" + text + "'");
  return v;
}

std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text, int64_t lo,
                                    int64_t hi) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, ',');) out.push_back(parse_int(flag, part, lo, hi));
  if (out.empty() || text.back() == ',')
    throw UsageError(flag + ": empty list item in '" + text + "'");
  return out;
}

const std::string& parse_choice(const std::string& flag, const std::string& text,
                                std::initializer_list<const char*> choices) {
  std::string list;
  std::size_t i = 0;
  for (const char* c : choices) {
    if (text == c) return text;
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + std::string(c);
    ++i;
  }
  throw UsageError(flag + ": expected " + list + ", got '" + text + "'");
}

}  // namespace bitnet::cli
