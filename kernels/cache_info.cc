// Cache sizes from sysfs (see cache_info.h).
#include "bitnet/kernels/cache_info.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace bitnet {

int64_t reported_cache_bytes(int level) {
  for (int index = 0; index < 8; ++index) {
    const std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::ifstream lv(dir + "level"), ty(dir + "type"), sz(dir + "size");
    int l = 0;
    std::string type, size;
    if (!(lv >> l) || !(ty >> type) || !(sz >> size)) continue;
    if (l != level || type == "Instruction") continue;
    char* end = nullptr;
    unsigned long long v = std::strtoull(size.c_str(), &end, 10);
    if (end && (*end == 'K' || *end == 'k')) v *= 1024;
    if (end && (*end == 'M' || *end == 'm')) v *= 1024 * 1024;
    return static_cast<int64_t>(v);
  }
  return 0;
}

int64_t reported_llc_bytes() {
  for (int level = 4; level >= 1; --level)
    if (const int64_t b = reported_cache_bytes(level); b > 0) return b;
  return 0;
}

bool weights_stream_from_dram(uint64_t weight_bytes) {
  const int64_t llc = reported_llc_bytes();
  const uint64_t limit = llc > 0 ? static_cast<uint64_t>(llc) : uint64_t{32} << 20;
  return weight_bytes > limit;
}

}  // namespace bitnet
