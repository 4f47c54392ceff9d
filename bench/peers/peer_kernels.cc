#include "bitnet/peers/peer_kernels.h"

#include <cstdlib>
#include <filesystem>

#include "bitnet/compare/discovery.h"
#include "peer_impl.h"

namespace bitnet::peers {
namespace fs = std::filesystem;

std::string_view peer_name(PeerKind kind) {
  return kind == PeerKind::kLlamaCpp ? "llama.cpp" : "bitnet.cpp";
}

PeerSpec parse_peer_spec(std::string_view text, std::string origin) {
  const size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  std::optional<PeerKind> kind;
  if (name == "llama.cpp") kind = PeerKind::kLlamaCpp;
  if (name == "bitnet.cpp") kind = PeerKind::kBitnetCpp;
  if (colon == std::string_view::npos || !kind || colon + 1 == text.size())
    throw PeerError(origin + "=" + std::string(text) +
                    ": expected llama.cpp:DIR or bitnet.cpp:DIR (DIR: the peer's build bin/, "
                    "build or checkout)");
  return {*kind, std::string(text.substr(colon + 1)), std::move(origin)};
}

std::vector<PeerSpec> peer_specs_from_environment() {
  std::vector<PeerSpec> out;
  for (const auto& [var, kind] : {std::pair{"LLAMA_CPP_DIR", PeerKind::kLlamaCpp},
                                  std::pair{"BITNET_CPP_DIR", PeerKind::kBitnetCpp}}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') out.push_back({kind, v, var});
  }
  return out;
}

std::vector<std::string> peer_library_names(PeerKind kind) {
  if (kind == PeerKind::kLlamaCpp) return {"libggml-base.so", "libggml-cpu.so"};
  return {"libggml.so"};
}

std::vector<std::string> find_peer_libraries(const PeerSpec& spec) {
  const std::vector<std::string> names = peer_library_names(spec.kind);
  // bitnet-compare's binary search order, plus where a bitnet.cpp (or llama.cpp) CMake build
  // leaves its libraries when they are not copied to bin/. The `../` entries: the variable
  // names the build's bin/ (where llama-cli is, as for the CLI tests), the library is beside it.
  std::vector<std::string> subdirs = {"build/bin", "bin", ""};
  if (spec.kind == PeerKind::kBitnetCpp)
    subdirs.insert(subdirs.end(),
                   {"build/3rdparty/llama.cpp/ggml/src", "3rdparty/llama.cpp/ggml/src",
                    "../3rdparty/llama.cpp/ggml/src"});
  else
    subdirs.insert(subdirs.end(), {"build/ggml/src", "ggml/src", "../ggml/src"});
  std::string looked;
  for (const std::string& sub : subdirs) {
    const fs::path dir = fs::path(spec.dir) / sub;
    std::vector<std::string> found;
    for (const std::string& n : names) {
      std::error_code ec;
      const fs::path p = dir / n;
      if (fs::is_regular_file(p, ec)) found.push_back(fs::canonical(p, ec).string());
    }
    if (found.size() == names.size()) return found;
    looked += "\n  " + dir.lexically_normal().string();
  }
  std::string want;
  for (const std::string& n : names) want += (want.empty() ? "" : " and ") + n;
  throw PeerError(std::string(peer_name(spec.kind)) + " peer (" + spec.origin + "=" + spec.dir +
                  "): " + want + " not found; looked in:" + looked);
}

std::unique_ptr<Peer> Peer::load(const PeerSpec& spec) {
  const std::vector<std::string> libs = find_peer_libraries(spec);
  std::unique_ptr<Peer> p =
      spec.kind == PeerKind::kLlamaCpp ? load_llama_cpp(spec, libs) : load_bitnet_cpp(spec, libs);
  // The build's version, from llama-cli beside the libraries (the libraries do not carry it).
  for (const fs::path& dir : {fs::path(libs[0]).parent_path(), fs::path(spec.dir) / "bin",
                              fs::path(spec.dir) / "build/bin", fs::path(spec.dir)}) {
    std::error_code ec;
    if (!fs::is_regular_file(dir / "llama-cli", ec)) continue;
    const compare::PeerVersion v = compare::query_version(dir / "llama-cli");
    if (v.build_number && v.commit) {
      p->version = "version: " + std::to_string(*v.build_number) + " (" + *v.commit + ")";
      p->build_commit = *v.commit;
    }
    break;
  }
  return p;
}

const PeerFormat* Peer::format(TypeId wtype) const {
  for (const auto& f : formats_)
    if (f->wtype() == wtype) return f.get();
  return nullptr;
}

}  // namespace bitnet::peers
