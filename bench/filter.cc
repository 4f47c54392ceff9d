#include "bitnet/bench/filter.h"

#include <regex.h>

#include <stdexcept>

namespace bitnet::bench {

bool filter_matches(const std::string& filter, const std::string& run_name) {
  std::string re = filter;
  bool negate = false;
  if (re.empty() || re == "all") re.assign(1, '.');  // not = ".": GCC 12 -Wrestrict false positive
  if (re[0] == '-') {
    negate = true;
    re = re.substr(1);
  }
  regex_t rx;
  if (regcomp(&rx, re.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
    throw std::invalid_argument("--benchmark_filter='" + filter + "' is not a valid regex");
  const bool hit = regexec(&rx, run_name.c_str(), 0, nullptr, 0) == 0;
  regfree(&rx);
  return hit != negate;
}

}  // namespace bitnet::bench
