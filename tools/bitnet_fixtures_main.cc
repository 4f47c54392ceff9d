// bitnet-fixtures: the command line over the fixtures library (docs/fixtures.md).
// Exit codes (docs/cli.md): 0 ok, 1 I/O, 2 usage, 3 not found, 4 network, 5 integrity.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "bitnet/cli/app.h"
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

namespace cli = bitnet::cli;

constexpr const char* kFooter =
    R"(SPEC: a path | synthetic:<shape>[:<format>[:<embd>[:<arch>]]][@seed] | hf:OWNER/REPO/FILE[@REV]
      | http(s)://URL | a manifest id | "" (BITNET_GGUF, else the manifest default)
Env: BITNET_GGUF BITNET_CACHE BITNET_OFFLINE BITNET_MANIFEST HF_ENDPOINT HF_TOKEN BITNET_SEED
Exit status: 0 ok, 1 I/O, 2 usage, 3 not found, 4 network, 5 integrity (docs/cli.md))";

[[noreturn]] void usage_error(const std::string& msg) {
  throw fx::Error(fx::ErrorKind::kUsage, msg + " (see bitnet-fixtures --help)");
}

// What the subcommands were given: positionals and options, by name, as CLI11 collected them.
struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::string> opt;
  // Several subcommands have an option of the same name (-o): one runs, so "given" is any.
  std::map<std::string, std::vector<CLI::Option*>> given;
  bool flag(const std::string& f) const {
    const auto it = given.find(f);
    if (it == given.end()) return false;
    for (const CLI::Option* o : it->second)
      if (o->count() > 0) return true;
    return false;
  }
  std::string get(const std::string& k, const std::string& d = "") const {
    return flag(k) ? opt.at(k) : d;
  }
};

// One subcommand: `positional` names its positional argument (every one given is collected in
// Args::pos; the command says how many it takes),
// `valued` its options with a value, `flags` those without; descriptions after '\t'.
CLI::App* add_command(CLI::App& app, Args& a, const std::string& name, const std::string& help,
                      const std::string& positional, const std::vector<std::string>& valued,
                      const std::vector<std::string>& flags) {
  CLI::App* sub = app.add_subcommand(name, help);
  sub->footer(kFooter);
  if (!positional.empty()) {
    const auto tab = positional.find('\t');
    sub->add_option(positional.substr(0, tab), a.pos, positional.substr(tab + 1));
  }
  for (const auto& v : valued) {
    const auto tab = v.find('\t');
    const std::string opt = v.substr(0, tab), desc = v.substr(tab + 1);
    const std::string key = opt.substr(0, opt.find(' '));
    a.given[key].push_back(
        sub->add_option(key, a.opt[key], desc)->type_name(opt.substr(key.size() + 1)));
  }
  for (const auto& f : flags) {
    const auto tab = f.find('\t');
    const std::string key = f.substr(0, tab);
    a.given[key].push_back(sub->add_flag(key)->description(f.substr(tab + 1)));
  }
  return sub;
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
  // `bitnet-fixtures help` is --help, as before.
  if (argc == 2 && std::string(argv[1]) == "help") argv[1] = const_cast<char*>("--help");
  CLI::App app("The command line over the fixtures library (docs/fixtures.md).", "bitnet-fixtures");
  cli::configure(app);
  app.require_subcommand(1);
  app.footer(kFooter);
  Args a;
  using Cmd = int (*)(const Args&);
  const std::vector<std::pair<CLI::App*, Cmd>> commands = {
      {add_command(app, a, "list", "manifest models, synthetic shapes and what is in the cache", "",
                   {}, {}),
       cmd_list},
      {add_command(app, a, "resolve", "print the path of a verified local GGUF for SPEC",
                   "SPEC\ta path, synthetic:..., hf:..., a URL, a manifest id or \"\"", {},
                   {"--offline\tnever touch the network",
                    "--no-generate\tdo not generate a synthetic model that is not cached"}),
       cmd_resolve},
      {add_command(app, a, "download", "download a manifest model, a hub file or a URL",
                   "TARGET\ta manifest ID, hf:OWNER/REPO/FILE[@REV] or an http(s) URL",
                   {"--sha256 H\texpected SHA-256", "--size N\texpected size in bytes",
                    "-o PATH\twhere to write it (default: the cache)"},
                   {}),
       cmd_download},
      {add_command(
           app, a, "generate", "write a synthetic model of SHAPE",
           "SHAPE\ta synthetic shape (bitnet-fixtures list)",
           {"--format F\tweight format (default tq2_0)",
            "--embd TYPE\ttoken embedding type (default f16)",
            "--arch A\tarchitecture (default bitnet)", "--seed N\trandom seed",
            "--threads N\tthreads (with -o)", "-o PATH\twhere to write it (default: the cache)"},
           {}),
       cmd_generate},
      {add_command(app, a, "verify",
                   "check size + SHA-256 and the GGUF structure (every tensor's data inside the "
                   "file)",
                   "TARGET\ta path or a manifest ID", {}, {"--full\trehash even when stamped"}),
       cmd_verify},
      {add_command(app, a, "info", "header, metadata and tensors of a GGUF file",
                   "SPEC\ta path or any SPEC resolve takes", {}, {}),
       cmd_info},
      {add_command(app, a, "gc", "remove stale part/temp/lock/stamp files from the cache", "", {},
                   {"--dry-run\tonly list what would be removed"}),
       cmd_gc},
  };
  return cli::run(
      app, argc, argv,
      [&] {
        for (const auto& [sub, cmd] : commands)
          if (sub->parsed()) return cmd(a);
        return static_cast<int>(cli::kExitUsage);
      },
      [](const std::exception& e) {
        if (const auto* f = dynamic_cast<const fx::Error*>(&e)) return f->exit_code();
        if (dynamic_cast<const bitnet::gguf::Error*>(&e))
          return static_cast<int>(fx::ErrorKind::kIntegrity);
        return -1;
      });
}
