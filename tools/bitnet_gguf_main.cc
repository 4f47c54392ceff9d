// bitnet-gguf: inspect GGUF files. `bitnet-gguf info FILE [--json] [--max-items N]`.
// Exit codes: 0 ok, 1 bad or unreadable file, 2 usage error.
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>

#include "bitnet/gguf/dump.h"
#include "bitnet/gguf/gguf.h"

namespace {

constexpr char kUsage[] =
    "usage: bitnet-gguf info FILE [--json] [--max-items N]\n"
    "  Prints version, alignment, data offset, metadata and the tensor table of a GGUF file.\n"
    "  --json         print the same as JSON\n"
    "  --max-items N  show at most N items of each array (default 8, 0 = all)\n";

int usage_error(const std::string& msg) {
  std::cerr << "bitnet-gguf: " << msg << "\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::cout << kUsage;
    return 0;
  }
  if (argc < 2) return usage_error("missing command");
  if (std::string_view(argv[1]) != "info") {
    return usage_error(std::string("unknown command '") + argv[1] + "'");
  }
  std::string path;
  bool json = false;
  size_t max_items = 8;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--max-items") {
      if (i + 1 >= argc) return usage_error("--max-items needs a number");
      const std::string_view n = argv[++i];
      const auto r = std::from_chars(n.data(), n.data() + n.size(), max_items);
      if (r.ec != std::errc() || r.ptr != n.data() + n.size()) {
        return usage_error("--max-items: not a number: '" + std::string(n) + "'");
      }
    } else if (a.starts_with("-")) {
      return usage_error("unknown option '" + std::string(a) + "'");
    } else if (path.empty()) {
      path = a;
    } else {
      return usage_error("more than one FILE given");
    }
  }
  if (path.empty()) return usage_error("missing FILE");

  try {
    const auto file = bitnet::gguf::File::open(path);
    if (json) {
      std::cout << bitnet::gguf::describe_json(file, max_items)
                       .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                << "\n";
    } else {
      std::cout << bitnet::gguf::describe_text(file, max_items);
    }
  } catch (const bitnet::gguf::Error& e) {
    std::cerr << "bitnet-gguf: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
