#include "bitnet/compare/discovery.h"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <chrono>

#include <cstdlib>
#include <regex>

#include <fmt/format.h>

#include "bitnet/compare/process.h"

namespace bitnet::compare {
namespace fs = std::filesystem;

namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

bool is_executable_file(const fs::path& p) {
  struct stat st {};
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
}

}  // namespace

SearchInputs SearchInputs::from_environment(std::optional<std::string> llama_dir) {
  SearchInputs in;
  in.llama_dir = std::move(llama_dir);
  in.bitnet_cpp_dir = env("BITNET_CPP_DIR");
  in.llama_cpp_dir = env("LLAMA_CPP_DIR");
  in.path_env = env("PATH");
  return in;
}

SearchResult find_peer_binary(const std::string& name, const SearchInputs& in) {
  SearchResult res;
  auto try_dir = [&](const fs::path& dir, const std::string& origin, const std::string& peer) {
    if (res.found) return;
    fs::path cand = dir / name;
    res.looked.push_back(fmt::format("{} ({})", cand.string(), origin));
    if (is_executable_file(cand)) res.found = Found{fs::absolute(cand), origin, peer};
  };
  auto try_root = [&](const std::string& root, const std::string& origin, const std::string& peer) {
    for (const char* sub : {"build/bin", "bin", ""}) try_dir(fs::path(root) / sub, origin, peer);
  };
  if (in.llama_dir) {
    // An explicit directory is a demand, not a hint: never fall back to some other build.
    try_root(*in.llama_dir, "--llama-dir", "llama.cpp");
    return res;
  }
  if (in.bitnet_cpp_dir) try_root(*in.bitnet_cpp_dir, "BITNET_CPP_DIR", "bitnet.cpp");
  if (in.llama_cpp_dir) try_root(*in.llama_cpp_dir, "LLAMA_CPP_DIR", "llama.cpp");
  if (in.path_env) {
    size_t start = 0;
    const std::string& p = *in.path_env;
    while (start <= p.size()) {
      size_t end = p.find(':', start);
      if (end == std::string::npos) end = p.size();
      std::string dir = p.substr(start, end - start);
      if (!dir.empty()) try_dir(dir, "PATH", "llama.cpp");
      start = end + 1;
    }
  }
  return res;
}

std::string not_found_message(const std::vector<std::string>& names,
                              const std::vector<SearchResult>& results) {
  std::string msg = "peer binary not found: ";
  for (size_t i = 0; i < names.size(); ++i) msg += (i ? " or " : "") + names[i];
  msg += "\nlooked in:\n";
  for (size_t i = 0; i < results.size(); ++i)
    for (const auto& l : results[i].looked) msg += fmt::format("  {}\n", l);
  if (results.empty() || results[0].looked.empty())
    msg += "  (nowhere: no --llama-dir, no BITNET_CPP_DIR, LLAMA_CPP_DIR or PATH)\n";
  msg +=
      "fix: pass --llama-dir DIR (a llama.cpp build or checkout), or set LLAMA_CPP_DIR / "
      "BITNET_CPP_DIR, or put the binaries on PATH\n";
  return msg;
}

PeerVersion parse_version_output(const std::string& text) {
  PeerVersion v;
  // Keep only the first few lines for the report.
  size_t pos = 0;
  for (int i = 0; i < 3 && pos != std::string::npos; ++i) pos = text.find('\n', pos + 1);
  v.raw = text.substr(0, pos == std::string::npos ? text.size() : pos);
  static const std::regex re(R"((?:^|\n)(?:version|build):\s*(\d+)\s*\(([^)]*)\))");
  std::smatch m;
  if (std::regex_search(text, m, re)) {
    // from_chars, not stol: a 30-digit "build number" is no version, not an exception.
    const std::string digits = m[1].str();
    long n = 0;
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && p == digits.data() + digits.size()) {
      v.build_number = n;
      v.commit = m[2].str();
    }
  }
  return v;
}

PeerVersion query_version(const fs::path& binary, std::chrono::milliseconds timeout) {
  RunOptions o;
  o.argv = {binary.string(), "--version"};
  o.timeout = timeout;
  o.kill_grace = std::min<std::chrono::milliseconds>(std::chrono::seconds(1), timeout);
  RunResult r = run_process(o);
  if (r.status != RunStatus::kExited) {
    PeerVersion v;
    v.raw = "--version " + describe_status(r);
    return v;
  }
  // llama.cpp prints the version to stderr; some builds use stdout.
  PeerVersion v = parse_version_output(r.stderr_text + "\n" + r.stdout_text);
  if (v.raw.empty() || v.raw == "\n") v.raw = "(--version printed nothing)";
  while (!v.raw.empty() && (v.raw.front() == '\n')) v.raw.erase(0, 1);
  return v;
}

}  // namespace bitnet::compare
