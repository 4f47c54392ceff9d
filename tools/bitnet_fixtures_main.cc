// bitnet-fixtures: the command line over the fixtures library (docs/fixtures.md).
// Exit codes: 0 ok, 1 I/O, 2 usage, 3 not found, 4 network, 5 integrity.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "bitnet/fixtures/cache.h"
#include "bitnet/fixtures/download.h"
#include "bitnet/fixtures/fixtures.h"
#include "bitnet/fixtures/manifest.h"
#include "bitnet/fixtures/synthetic.h"
#include "bitnet/gguf/dump.h"
#include "bitnet/gguf/gguf.h"

namespace fx = bitnet::fixtures;
namespace fs = std::filesystem;

namespace {

constexpr const char* kUsage = R"(usage: bitnet-fixtures <command> [options]

  list                          manifest models, synthetic shapes and what is in the cache
  resolve SPEC [--offline] [--no-generate]
                                print the path of a verified local GGUF for SPEC
  download ID|hf:OWNER/REPO/FILE[@REV]|http(s)://URL [--sha256 H] [--size N] [-o PATH]
  generate SHAPE --format F [--embd TYPE] [--arch A] [--seed N] [--threads N] [-o PATH]
  verify [--full] PATH|ID       check size + SHA-256 (--full rehashes even when stamped) and the
                                GGUF structure (every tensor's data inside the file)
  info SPEC|PATH                header, metadata and tensors of a GGUF file
  gc [--dry-run]                remove stale part/temp/lock/stamp files from the cache

SPEC: a path | synthetic:<shape>[:<format>[:<embd>[:<arch>]]][@seed] | hf:OWNER/REPO/FILE[@REV]
      | http(s)://URL | a manifest id | "" (BITNET_GGUF, else the manifest default)
Env: BITNET_GGUF BITNET_CACHE BITNET_OFFLINE BITNET_MANIFEST HF_ENDPOINT HF_TOKEN BITNET_SEED
Exit: 0 ok, 1 I/O, 2 usage, 3 not found, 4 network, 5 integrity
)";

[[noreturn]] void usage_error(const std::string& msg) {
  throw fx::Error(fx::ErrorKind::kUsage, msg + " (see bitnet-fixtures --help)");
}

// Options "--name value" / "-o value" / flags, plus positionals.
struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::string> opt;
  bool flag(const std::string& f) const { return opt.count(f) != 0; }
  std::string get(const std::string& k, const std::string& d = "") const {
    auto it = opt.find(k);
    return it == opt.end() ? d : it->second;
  }
};

Args parse_args(int argc, char** argv, int first, const std::vector<std::string>& valued,
                const std::vector<std::string>& flags) {
  Args a;
  for (int i = first; i < argc; ++i) {
    const std::string s = argv[i];
    if (s.size() > 1 && s[0] == '-') {
      bool known = false;
      for (const auto& v : valued)
        if (s == v) {
          if (i + 1 >= argc) {
            std::string msg = "option ";
            msg.append(s).append(" needs a value");
            usage_error(msg);
          }
          a.opt[s] = argv[++i];
          known = true;
        }
      for (const auto& f : flags)
        if (s == f) {
          a.opt.insert_or_assign(s, std::string());  // present = set
          known = true;
        }
      if (!known) usage_error("unknown option " + s);
    } else {
      a.pos.push_back(s);
    }
  }
  return a;
}

uint64_t parse_u64(const std::string& s, const std::string& what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || s[0] == '-') usage_error(what + " '" + s + "' is not a number");
  return v;
}

std::string state_of(const std::string& path) {
  if (!fs::exists(path)) return fs::exists(path + ".part") ? "partial" : "absent";
  const auto st = fx::read_stamp(path);
  if (st && fx::stamp_is_current(path, *st)) return "verified";
  return "unverified";
}

int cmd_list(const Args&) {
  const std::string dir = fx::cache_dir();
  std::printf("cache: %s\n\nmanifest models (%s):\n", dir.c_str(),
              fx::default_manifest_path().c_str());
  const fx::Manifest man = fx::load_manifest(fx::default_manifest_path());
  for (const auto& e : man.models) {
    const std::string path = fx::cached_path(fx::parse_spec(e.id), dir);
    std::printf("  %-22s %s/%s@%s%s\n      %-10s %s\n", e.id.c_str(), e.repo.c_str(),
                e.file.c_str(), e.revision.c_str(), e.id == man.default_id ? "  (default)" : "",
                state_of(path).c_str(), path.c_str());
  }
  std::printf("\nsynthetic shapes (synthetic:<shape>[:<format>[:<embd>[:<arch>]]][@seed]):\n");
  for (const auto& s : fx::model_shapes())
    std::printf(
        "  %-13s embd %5lld ff %5lld layers %2lld heads %2lld/%-2lld head_dim %3lld vocab %6lld "
        "ctx %5lld %-6s %s\n",
        s.name.c_str(), (long long)s.n_embd, (long long)s.n_ff, (long long)s.n_layer,
        (long long)s.n_head, (long long)s.n_head_kv, (long long)s.head_dim(), (long long)s.n_vocab,
        (long long)s.n_ctx, s.arch.c_str(), s.model.empty() ? "(test shape)" : s.model.c_str());
  const std::string syn = dir + "/synthetic";
  std::error_code ec;
  if (fs::is_directory(syn, ec)) {
    std::printf("\ncached synthetic models:\n");
    for (const auto& f : fs::directory_iterator(syn, ec)) {
      if (f.path().extension() != ".gguf") continue;
      std::printf("  %-10s %10.1f MiB  %s\n", state_of(f.path().string()).c_str(),
                  static_cast<double>(f.file_size()) / 1048576.0, f.path().filename().c_str());
    }
  }
  return 0;
}

int cmd_resolve(const Args& a) {
  if (a.pos.size() > 1) usage_error("resolve takes one SPEC");
  fx::ResolveOptions o;
  o.offline = a.flag("--offline");
  o.allow_generate = !a.flag("--no-generate");
  const fx::Resolved r = fx::resolve(a.pos.empty() ? "" : a.pos[0], o);
  std::fprintf(stderr, "resolved (%s): %llu bytes, sha256 %s\n", r.source.c_str(),
               (unsigned long long)r.size, r.sha256.empty() ? "-" : r.sha256.c_str());
  std::printf("%s\n", r.path.c_str());
  return 0;
}

int cmd_download(const Args& a) {
  if (a.pos.size() != 1) usage_error("download takes one ID, hf: spec or URL");
  const fx::Spec spec = fx::parse_spec(a.pos[0]);
  fx::DownloadOptions d;
  std::string default_dest;
  const std::string dir = fx::cache_dir();
  if (spec.kind == fx::Spec::Kind::kManifestId) {
    const fx::Manifest man = fx::load_manifest(fx::default_manifest_path());
    const fx::ManifestEntry* e = man.find(spec.id);
    if (!e) throw fx::Error(fx::ErrorKind::kNotFound, "'" + spec.id + "' is not in " + man.path);
    d.url = fx::hf_url(e->repo, e->revision, e->file);
    d.expected_sha256 = e->sha256;
    d.expected_size = e->size;
  } else if (spec.kind == fx::Spec::Kind::kHf) {
    d.url = fx::hf_url(spec.hf_repo, spec.revision, spec.hf_file);
  } else if (spec.kind == fx::Spec::Kind::kUrl) {
    d.url = spec.url;
  } else {
    usage_error("download takes a manifest ID, hf:OWNER/REPO/FILE[@REV] or an http(s) URL");
  }
  d.dest = a.get("-o", fx::cached_path(spec, dir));
  if (a.flag("--sha256")) d.expected_sha256 = a.get("--sha256");
  if (a.flag("--size")) d.expected_size = parse_u64(a.get("--size"), "--size");
  fx::apply_env_defaults(d);
  const char* off = std::getenv("BITNET_OFFLINE");
  if (off && *off && std::string(off) != "0")
    throw fx::Error(fx::ErrorKind::kNetwork,
                    "BITNET_OFFLINE is set: refusing to download " + d.url);
  const fx::DownloadResult r = fx::download(d);
  std::fprintf(
      stderr, "%s: %llu bytes, sha256 %s (%s)%s\n", r.reused ? "already present" : "downloaded",
      (unsigned long long)r.size, r.sha256.c_str(), r.sha256_source.c_str(),
      r.attempts > 1 ? (" after " + std::to_string(r.attempts) + " attempts").c_str() : "");
  std::printf("%s\n", r.path.c_str());
  return 0;
}

int cmd_generate(const Args& a) {
  if (a.pos.size() != 1) usage_error("generate takes one SHAPE");
  fx::SyntheticSpec s;
  s.shape = a.pos[0];
  s.format = a.get("--format", "tq2_0");
  s.embd = a.get("--embd", "f16");
  // Through the spec parser so case, defaults (the arch: the shape's) and BITNET_SEED behave
  // exactly as in resolve().
  std::string text = "synthetic:" + s.shape + ":" + s.format + ":" + s.embd;
  if (a.flag("--arch")) text += ":" + a.get("--arch");
  if (a.flag("--seed")) text += "@" + std::to_string(parse_u64(a.get("--seed"), "--seed"));
  s = fx::parse_spec(text).synthetic;
  const auto t0 = std::chrono::steady_clock::now();
  std::string path;
  if (a.flag("-o")) {
    fx::GenerateOptions g;
    if (a.flag("--threads"))
      g.threads = static_cast<int>(parse_u64(a.get("--threads"), "--threads"));
    path = a.get("-o");
    fx::generate(s, path, g);
  } else {
    path = fx::resolve(fx::to_string(s)).path;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "%s: %.1f MiB in %.2f s\n", fx::to_string(s).c_str(),
               static_cast<double>(fs::file_size(path)) / 1048576.0, secs);
  std::printf("%s\n", path.c_str());
  return 0;
}

int cmd_verify(const Args& a) {
  if (a.pos.size() != 1) usage_error("verify takes one PATH or ID");
  const fx::Spec spec = fx::parse_spec(a.pos[0]);
  std::string path = a.pos[0], sha;
  std::optional<uint64_t> size;
  if (spec.kind == fx::Spec::Kind::kManifestId) {
    const fx::Manifest man = fx::load_manifest(fx::default_manifest_path());
    const fx::ManifestEntry* e = man.find(spec.id);
    if (!e) throw fx::Error(fx::ErrorKind::kNotFound, "'" + spec.id + "' is not in " + man.path);
    path = fx::cached_path(spec, fx::cache_dir());
    sha = e->sha256;
    size = e->size;
  } else if (spec.kind != fx::Spec::Kind::kPath) {
    path = fx::cached_path(spec, fx::cache_dir());
  }
  const fx::VerifyReport r = fx::verify_file(path, a.flag("--full"), sha, size);
  fx::check_gguf_structure(r.path);  // a digest says the bytes are the expected ones, not valid
  std::printf("ok %s %llu bytes sha256 %s (%s)\n", r.path.c_str(), (unsigned long long)r.size,
              r.sha256.c_str(), r.rehashed ? "rehashed" : "stamp");
  return 0;
}

int cmd_info(const Args& a) {
  if (a.pos.size() != 1) usage_error("info takes one SPEC or PATH");
  const std::string path = fx::resolve(a.pos[0]).path;
  const bitnet::gguf::File f = bitnet::gguf::File::open(path);
  std::fputs(bitnet::gguf::describe_text(f).c_str(), stdout);
  return 0;
}

int cmd_gc(const Args& a) {
  const bool dry = a.flag("--dry-run");
  const auto removed = fx::gc_cache(fx::cache_dir(), dry);
  for (const auto& r : removed) std::printf("%s %s\n", dry ? "would remove" : "removed", r.c_str());
  if (removed.empty()) std::printf("nothing to remove in %s\n", fx::cache_dir().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    if (cmd == "list") return cmd_list(parse_args(argc, argv, 2, {}, {}));
    if (cmd == "resolve")
      return cmd_resolve(parse_args(argc, argv, 2, {}, {"--offline", "--no-generate"}));
    if (cmd == "download")
      return cmd_download(parse_args(argc, argv, 2, {"--sha256", "--size", "-o"}, {}));
    if (cmd == "generate")
      return cmd_generate(parse_args(
          argc, argv, 2, {"--format", "--embd", "--arch", "--seed", "--threads", "-o"}, {}));
    if (cmd == "verify") return cmd_verify(parse_args(argc, argv, 2, {}, {"--full"}));
    if (cmd == "info") return cmd_info(parse_args(argc, argv, 2, {}, {}));
    if (cmd == "gc") return cmd_gc(parse_args(argc, argv, 2, {}, {"--dry-run"}));
    usage_error("unknown command '" + cmd + "'");
  } catch (const fx::Error& e) {
    std::fprintf(stderr, "bitnet-fixtures: %s\n", e.what());
    return e.exit_code();
  } catch (const bitnet::gguf::Error& e) {
    std::fprintf(stderr, "bitnet-fixtures: %s\n", e.what());
    return static_cast<int>(fx::ErrorKind::kIntegrity);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet-fixtures: %s\n", e.what());
    return 1;
  }
}
