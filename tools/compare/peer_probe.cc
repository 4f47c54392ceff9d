#include "bitnet/compare/peer_probe.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "bitnet/compare/discovery.h"
#include "bitnet/compare/process.h"

namespace bitnet::compare {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// 10 s, or what is left before the deadline (at least 1 ms: the process is then killed at once).
std::chrono::milliseconds budget(std::chrono::steady_clock::time_point deadline) {
  const auto now = std::chrono::steady_clock::now();
  if (deadline <= now) return std::chrono::milliseconds(1);
  return std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                    std::chrono::milliseconds(1), std::chrono::milliseconds(10000));
}

std::string run_capture(const std::vector<std::string>& argv,
                        std::chrono::steady_clock::time_point deadline) {
  RunOptions ro;
  ro.argv = argv;
  ro.timeout = budget(deadline);
  ro.kill_grace = std::chrono::seconds(1);
  ro.max_capture_bytes = 1u << 20;
  const RunResult r = run_process(ro);
  return r.stdout_text + r.stderr_text;
}

// The libraries a dynamically linked peer loads (`ldd`), so the type table in libggml is seen.
std::vector<fs::path> linked_libraries(const fs::path& binary,
                                       std::chrono::steady_clock::time_point deadline) {
  std::vector<fs::path> libs;
  std::istringstream in(run_capture({"/usr/bin/ldd", binary.string()}, deadline));
  static const std::regex kLine(R"(\s*(\S*(ggml|llama)\S*)\s+=>\s+(\S+))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kLine)) libs.emplace_back(m[3].str());
  }
  return libs;
}

std::string cache_key(const fs::path& binary) {
  struct stat st {};
  if (::stat(binary.c_str(), &st) != 0) return "";
  return fmt::format("{}|{}|{}.{:09d}", fs::absolute(binary).string(), st.st_size,
                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

std::string default_cache_file() {
  if (const char* p = std::getenv("BITNET_PEER_CACHE")) return p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::string(x) + "/bitnet-bench/peer-probe.json";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::string(h) + "/.cache/bitnet-bench/peer-probe.json";
  return "";
}

json read_cache(const std::string& file) {
  std::ifstream in(file);
  if (!in) return json::object();
  try {
    json j = json::parse(in);
    return j.is_object() ? j : json::object();
  } catch (const json::exception&) {
    return json::object();  // a damaged cache is rebuilt, never trusted
  }
}

void write_cache(const std::string& file, const json& j) {
  std::error_code ec;
  fs::create_directories(fs::path(file).parent_path(), ec);
  const std::string tmp = fmt::format("{}.{}.tmp", file, ::getpid());
  {
    std::ofstream out(tmp);
    out << j.dump(1) << "\n";
    if (!out) return;  // the cache is an optimisation: failing to write it is not an error
  }
  fs::rename(tmp, file, ec);
  if (ec) fs::remove(tmp, ec);
}

std::mutex g_mu;
std::map<std::string, PeerProbe> g_memo;

}  // namespace

const std::vector<std::string>& probed_flags() {
  static const std::vector<std::string> k = {
      "-no-cnv", "-cnv",  "--verbose-prompt", "--kl-divergence-base", "--kl-divergence", "--chunks",
      "-o",      "--temp"};
  return k;
}

bool PeerProbe::accepts(const std::string& flag) const {
  auto it = flags.find(flag);
  return it != flags.end() && it->second;
}

bool PeerProbe::cli_needs_no_cnv() const {
  bool any = false;
  for (const auto& [f, ok] : flags) any = any || ok;
  return any ? accepts("-no-cnv") : flavour != "bitnet.cpp";
}

json PeerProbe::to_json() const {
  json j = {{"binary", binary},
            {"flavour", flavour},
            {"version", version},
            {"flags", flags},
            {"evidence", evidence}};
  j["build_number"] = build_number ? json(*build_number) : json(nullptr);
  j["commit"] = commit ? json(*commit) : json(nullptr);
  return j;
}

PeerProbe PeerProbe::from_json(const json& j) {
  PeerProbe p;
  p.binary = j.value("binary", "");
  p.flavour = j.value("flavour", "llama.cpp");
  p.version = j.value("version", "");
  if (j.contains("flags") && j["flags"].is_object())
    for (auto it = j["flags"].begin(); it != j["flags"].end(); ++it)
      p.flags[it.key()] = it.value().is_boolean() && it.value().get<bool>();
  if (j.contains("evidence") && j["evidence"].is_array())
    for (const auto& e : j["evidence"])
      if (e.is_string()) p.evidence.push_back(e.get<std::string>());
  if (j.contains("build_number") && j["build_number"].is_number_integer())
    p.build_number = j["build_number"].get<long>();
  if (j.contains("commit") && j["commit"].is_string()) p.commit = j["commit"].get<std::string>();
  return p;
}

std::map<std::string, bool> parse_help_flags(const std::string& help) {
  std::map<std::string, bool> out;
  for (const std::string& f : probed_flags()) {
    // A flag is listed when it appears as a whole word: "-no-cnv," or "  -cnv, --conversation".
    const std::regex re("(^|[\\s,])" + std::regex_replace(f, std::regex("-"), "\\-") +
                        "([\\s,=]|$)");
    out[f] = std::regex_search(help, re);
  }
  return out;
}

bool file_mentions_i2s(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  // ggml's type_traits table holds the type names as C strings: "i2_s\0".
  static const std::string kNeedle("\0i2_s\0", 6);
  std::string buf(1 << 20, '\0'), carry;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const std::string chunk = carry + buf.substr(0, static_cast<size_t>(in.gcount()));
    if (chunk.find(kNeedle) != std::string::npos) return true;
    carry = chunk.size() >= kNeedle.size() ? chunk.substr(chunk.size() - kNeedle.size()) : chunk;
  }
  return false;
}

PeerProbe probe_peer(const fs::path& binary, std::optional<std::string> cache_file,
                     std::chrono::steady_clock::time_point deadline) {
  const std::string key = cache_key(binary);
  const std::string file = cache_file.value_or(default_cache_file());
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (!key.empty()) {
      if (auto it = g_memo.find(key); it != g_memo.end()) return it->second;
      if (!file.empty()) {
        const json c = read_cache(file);
        if (c.contains(key)) {
          PeerProbe p = PeerProbe::from_json(c[key]);
          g_memo[key] = p;
          return p;
        }
      }
    }
  }
  PeerProbe p;
  p.binary = binary.string();
  const PeerVersion v = query_version(binary, budget(deadline));
  p.version = v.raw.substr(0, v.raw.find('\n'));
  p.build_number = v.build_number;
  p.commit = v.commit;
  p.flags = parse_help_flags(run_capture({binary.string(), "--help"}, deadline));
  std::vector<fs::path> scanned = {binary};
  for (const fs::path& lib : linked_libraries(binary, deadline)) scanned.push_back(lib);
  for (const fs::path& f : scanned) {
    if (file_mentions_i2s(f)) {
      p.flavour = "bitnet.cpp";
      p.evidence.push_back(f.string() + " has ggml type i2_s (bitnet.cpp's fork)");
      break;
    }
  }
  if (p.flavour == "llama.cpp")
    p.evidence.push_back("no ggml type i2_s in " + std::to_string(scanned.size()) +
                         " scanned file(s): upstream llama.cpp");
  // A probe cut short by the deadline is not remembered: its answers may be incomplete.
  if (!key.empty() && std::chrono::steady_clock::now() < deadline) {
    std::lock_guard<std::mutex> lock(g_mu);
    g_memo[key] = p;
    if (!file.empty()) {
      json c = read_cache(file);
      for (auto it = c.begin(); it != c.end();) {  // forget binaries that are gone
        std::error_code ec;
        const std::string path = it.key().substr(0, it.key().find('|'));
        it = fs::exists(path, ec) ? std::next(it) : c.erase(it);
      }
      c[key] = p.to_json();
      write_cache(file, c);
    }
  }
  return p;
}

}  // namespace bitnet::compare
