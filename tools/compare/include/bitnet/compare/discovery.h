// Finding the peer's binaries (llama-bench, llama-cli) and asking them for their version.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace bitnet::compare {

// Where to look, in this order (first hit wins):
//   1. --llama-dir DIR            DIR/build/bin, DIR/bin, DIR (when given, the only place searched)
//   2. $BITNET_CPP_DIR            (a bitnet.cpp checkout) .../build/bin, .../bin, ...
//   3. $LLAMA_CPP_DIR             .../build/bin, .../bin, ...
//   4. each directory of $PATH
struct SearchInputs {
  std::optional<std::string> llama_dir;
  std::optional<std::string> bitnet_cpp_dir;
  std::optional<std::string> llama_cpp_dir;
  std::optional<std::string> path_env;
  // Reads BITNET_CPP_DIR, LLAMA_CPP_DIR and PATH from the environment (empty values are ignored).
  static SearchInputs from_environment(std::optional<std::string> llama_dir);
};

struct Found {
  std::filesystem::path binary;
  std::string origin;  // "--llama-dir", "BITNET_CPP_DIR", "LLAMA_CPP_DIR" or "PATH"
  std::string peer;    // "bitnet.cpp" when found through BITNET_CPP_DIR, else "llama.cpp"
};

struct SearchResult {
  std::optional<Found> found;
  std::vector<std::string> looked;  // every candidate path tried, with its origin, in order
};

SearchResult find_peer_binary(const std::string& name, const SearchInputs& in);
// The message for a binary that was not found: names every place looked and how to fix it.
std::string not_found_message(const std::vector<std::string>& names,
                              const std::vector<SearchResult>& results);

struct PeerVersion {
  std::string raw;  // the first lines it printed
  std::optional<long> build_number;
  std::optional<std::string> commit;
};
// Parses `version: 4748 (c392e5094)` (current) or `build: 4748 (c392e5094) ...` lines.
PeerVersion parse_version_output(const std::string& text);
// Runs `binary --version` (10 s timeout). Never throws; raw holds the failure when it failed.
// `timeout` bounds the probe (a peer hanging in --version must not stall the caller).
PeerVersion query_version(const std::filesystem::path& binary,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace bitnet::compare
