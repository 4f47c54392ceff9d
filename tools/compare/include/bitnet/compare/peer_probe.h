// Which peer a binary is, asked of the binary itself: `--version` (the version string we record),
// `--help` (which flags this build's llama-cli / llama-perplexity accept: -no-cnv only exists
// since early 2025, bitnet.cpp's 2024 fork rejects it), and the ggml it runs (bitnet.cpp's fork
// registers the I2_S type, "i2_s" in its type table; upstream llama.cpp has no such type).
// Results are cached per binary path + size + mtime, in memory and in a JSON file.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitnet::compare {

struct PeerProbe {
  std::string binary;
  std::string flavour = "llama.cpp";  // or "bitnet.cpp"
  std::string version;                // first line of --version (or the failure)
  std::optional<long> build_number;
  std::optional<std::string> commit;
  std::map<std::string, bool> flags;  // e.g. "-no-cnv" -> accepted (listed in --help)
  std::vector<std::string> evidence;  // why this flavour, for the report
  bool accepts(const std::string& flag) const;
  // Pass -no-cnv to llama-cli? What --help lists; when it listed none of the probed flags (no
  // usable help), the flavour's rule: current llama.cpp needs it, bitnet.cpp's fork rejects it.
  bool cli_needs_no_cnv() const;
  nlohmann::json to_json() const;
  static PeerProbe from_json(const nlohmann::json& j);
};

// Flags we look for in --help (the ones bitnet-compare may pass).
const std::vector<std::string>& probed_flags();

// Pure parts, for tests: flags listed in a --help text; "i2_s" in a file's bytes.
std::map<std::string, bool> parse_help_flags(const std::string& help_text);
bool file_mentions_i2s(const std::filesystem::path& file);

// Runs the binary (10 s timeouts, none past `deadline`) unless the cache has an entry for this
// path, size and mtime.
// `cache_file`: default $BITNET_PEER_CACHE, else $XDG_CACHE_HOME or ~/.cache
// /bitnet-bench/peer-probe.json; "" disables the file cache. Never throws for a failing peer:
// version then holds the failure and flags are all false.
PeerProbe probe_peer(
    const std::filesystem::path& binary, std::optional<std::string> cache_file = std::nullopt,
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

}  // namespace bitnet::compare
