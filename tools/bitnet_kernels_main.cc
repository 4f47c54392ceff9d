// bitnet-kernels: what the kernel registry holds and whether each kernel is right on this CPU.
//   bitnet-kernels list [--json]   every kernel: op, formats, ISA, tile, available, selected, and
//                                  the measured dispatch table of this CPU (if made yet)
//   bitnet-kernels tune [--threads N,M]
//                                  (re)measures the dispatch table for these thread counts
//   bitnet-kernels check [--kernel NAME]
//                                  runs every available kernel against its scalar reference on a
//                                  few shapes (bit-exact); exit 1 on any mismatch
// Exit codes (docs/cli.md): 0 ok, 1 mismatch or error, 2 usage error.
#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bitnet/cli/app.h"
#include "bitnet/cli/values.h"
#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/dense_check.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/tuning.h"

namespace bitnet {
namespace {

namespace cli = bitnet::cli;

std::string type_name(TypeId t) {
  const auto tr = type_traits(static_cast<uint32_t>(t));
  return tr ? std::string(tr->name) : std::to_string(static_cast<uint32_t>(t));
}

// What dispatch picks at one thread without measuring: the table's entry if it has one (and
// neither a pin nor BITNET_TUNE=off applies), else the static order.
const KernelInfo& dispatch_no_measure(Op op, TypeId w, int64_t n) {
  const auto pin = isa_pin();
  if (!pin && tuning_enabled())
    if (const KernelInfo* k = TuningTable::instance().lookup(op, w, n, 1)) return *k;
  return select_kernel_pinned(op, w, n, pin);
}

// Whether dispatch picks k for one column and for 64 columns (under the current pin).
std::pair<bool, bool> selected(const KernelInfo& k) {
  if (is_dense_op(k.op)) {
    const bool sel = &select_dense_kernel(k.op, k.wtype, k.atype) == &k;
    return {sel, sel};
  }
  const TypeId w = k.wtype;
  return {&dispatch_no_measure(k.op, w, 1) == &k, &dispatch_no_measure(k.op, w, 64) == &k};
}

std::string dispatch_source() {
  if (isa_pin()) return "static order (BITNET_ISA pin)";
  if (!tuning_enabled()) return "static order (BITNET_TUNE=off)";
  auto& t = TuningTable::instance();
  if (t.entries().empty() && t.status().rfind("rebuilt: ", 0) == 0)
    return "static order (stale tuning table " + t.path() + ": " + t.status().substr(9) +
           "; bitnet-kernels tune, or first use, remakes it)";
  if (t.entries().empty())
    return "static order (no tuning table yet: bitnet-kernels tune, or first use, makes " +
           (t.path().empty() ? std::string("one") : t.path()) + ")";
  return "measured table " + t.path() + " (" + t.status() + ")";
}

nlohmann::ordered_json table_json() {
  return nlohmann::ordered_json::parse(TuningTable::instance().entries_json());
}

void print_table() {
  const auto entries = TuningTable::instance().entries();
  if (entries.empty()) return;
  std::printf("\nmeasured dispatch table (%s):\n", TuningTable::instance().path().c_str());
  std::printf("%-9s %-6s %-6s %-7s %-5s %-10s %-36s %-9s %s\n", "op", "w", "n", "threads", "wts",
              "shape", "kernel", "vs static", "median ms of each timed candidate");
  for (const TuneEntry& e : entries) {
    std::string times, vs = "-";
    for (const auto& [name, sec] : e.median_seconds) {
      if (!times.empty()) times += ", ";
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.3f", sec * 1e3);
      times += name + " " + buf;
    }
    const auto w = e.median_seconds.find(e.kernel), st = e.median_seconds.find(e.static_kernel);
    if (e.kernel == e.static_kernel)
      vs = "same";
    else if (w != e.median_seconds.end() && st != e.median_seconds.end()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2fx", st->second / w->second);
      vs = buf;
    }
    const std::string shape = e.shape.M > 0
                                  ? std::to_string(e.shape.M) + "x" + std::to_string(e.shape.K)
                                  : std::string("all");
    std::printf("%-9s %-6s %-6s %-7d %-5s %-10s %-36s %-9s %s\n",
                std::string(op_name(e.op)).c_str(), type_name(e.wtype).c_str(),
                std::string(n_class_name(e.n_class)).c_str(), e.threads,
                std::string(residency_name(e.residency)).c_str(), shape.c_str(), e.kernel.c_str(),
                vs.c_str(), times.empty() ? "(only candidate)" : times.c_str());
  }
}

int tune(const std::vector<int>& threads) {
  auto& t = TuningTable::instance();
  for (int n : threads) t.tune(n);
  std::printf("cpu: %s\nfeatures: %s\nkernel set: %016llx\ntable: %s (%s)\n",
              cpu_model_name().c_str(), feature_names(cpu_feature_bits()).c_str(),
              static_cast<unsigned long long>(kernel_set_hash()), t.path().c_str(),
              t.status().c_str());
  print_table();
  std::fflush(stdout);
  return 0;
}

int list(bool json) {
  const auto pin = isa_pin();  // throws on a bad pin: reported by main
  if (json) {
    nlohmann::ordered_json out;
    out["cpu"] = cpu_model_name();
    out["cpu_features"] = cpu_features_string();
    out["best_isa"] = std::string(isa_name(best_cpu_isa()));
    out["isa_pin"] = pin ? nlohmann::ordered_json(std::string(isa_name(*pin))) : nullptr;
    out["usable_features"] = feature_names(cpu_feature_bits());
    out["dispatch"] = dispatch_source();
    out["tuning_table"] = table_json();
    out["kernels"] = nlohmann::ordered_json::array();
    for (const KernelInfo& k : all_kernels()) {
      const bool avail = kernel_available(k);
      const auto [gemv, gemm] = avail ? selected(k) : std::pair<bool, bool>{false, false};
      out["kernels"].push_back({{"name", std::string(k.name)},
                                {"op", std::string(op_name(k.op))},
                                {"weights", type_name(k.wtype)},
                                {"acts", type_name(k.atype)},
                                {"isa", std::string(isa_name(k.isa))},
                                {"features", feature_names(isa_features(k.isa))},
                                {"tile_m", k.tile_m},
                                {"tile_n", k.tile_n},
                                {"available", avail},
                                {"selected_gemv", gemv},
                                {"selected_gemm", gemm}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "cpu: " << cpu_model_name() << "\nfeatures: " << cpu_features_string()
            << "\nbest isa: " << isa_name(best_cpu_isa())
            << "\nisa pin: " << (pin ? std::string(isa_name(*pin)) : "none (BITNET_ISA unset)")
            << "\nusable features: " << feature_names(cpu_feature_bits())
            << "\ndispatch: " << dispatch_source() << "\n\n";
  std::printf("%-36s %-9s %-6s %-5s %-11s %-5s %-9s %s\n", "name", "op", "w", "act", "isa", "tile",
              "available", "selected");
  for (const KernelInfo& k : all_kernels()) {
    const bool avail = kernel_available(k);
    const auto [gemv, gemm] = avail ? selected(k) : std::pair<bool, bool>{false, false};
    std::string sel = gemv && gemm ? "gemv,gemm" : gemv ? "gemv" : gemm ? "gemm" : "-";
    std::printf("%-36s %-9s %-6s %-5s %-11s %-5s %-9s %s\n", std::string(k.name).c_str(),
                std::string(op_name(k.op)).c_str(), type_name(k.wtype).c_str(),
                type_name(k.atype).c_str(), std::string(isa_name(k.isa)).c_str(),
                (std::to_string(k.tile_m) + "x" + std::to_string(k.tile_n)).c_str(),
                avail ? "yes" : "no", sel.c_str());
  }
  print_table();
  std::fflush(stdout);
  return 0;
}

uint32_t bits(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

// Random ternary weights (values trit * s, s per 256 elements) quantized to `t`.
std::vector<uint8_t> ternary_weights(TypeId t, int64_t M, int64_t K, std::mt19937& rng) {
  std::vector<float> w(static_cast<size_t>(M * K));
  std::uniform_int_distribution<int> trit(-1, 1);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.05f * static_cast<float>(trit(rng)) * (1 + i / 256 % 3);
  std::vector<uint8_t> q(quantized_bytes(t, M * K));
  quantize(t, w.data(), q.data(), M * K);
  return q;
}

std::vector<float> acts(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(n));
  for (auto& v : x) v = d(rng);
  return x;
}

// One comparison; prints a line and returns false on mismatch.
bool report(const KernelInfo& k, const std::string& shape, const float* got, const float* want,
            int64_t n) {
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i) bad += bits(got[i]) != bits(want[i]);
  std::printf(
      "%-6s %-36s %s%s\n", bad ? "FAIL" : "ok", std::string(k.name).c_str(), shape.c_str(),
      bad ? (" (" + std::to_string(bad) + " of " + std::to_string(n) + " differ)").c_str() : "");
  return bad == 0;
}

bool check_matmul(const KernelInfo& k) {
  const KernelInfo& ref = reference_kernel(Op::kMatmul, k.wtype);
  const int64_t b = type_traits(k.wtype)->block_elems;
  const int64_t shapes[][3] = {{17, 2 * b, 1}, {33, 3 * b, 5}, {640, 2560, 1}, {130, 2560, 9}};
  std::mt19937 rng(7);
  bool ok = true;
  for (const auto& s : shapes) {
    const int64_t M = s[0], K = s[1], N = s[2];
    const auto w = ternary_weights(k.wtype, M, K, rng);
    const auto x = acts(K * N, rng);
    ActBuffer a;
    quantize_acts(k.wtype, x.data(), K, N, K, a, &reference_kernel(Op::kQuantAct, k.wtype));
    const float scale = tensor_scale(k.wtype, w.data(), M * K);
    std::vector<float> got(static_cast<size_t>(M * N)), want(got.size());
    MatmulArgs args{k.wtype,    w.data(), weight_row_bytes(k.wtype, K), scale, M, K, a.view(),
                    got.data(), M};
    k.matmul(args, 0, M);
    args.y = want.data();
    ref.matmul(args, 0, M);
    ok &=
        report(k, "M=" + std::to_string(M) + " K=" + std::to_string(K) + " N=" + std::to_string(N),
               got.data(), want.data(), M * N);
  }
  return ok;
}

bool check_quant_act(const KernelInfo& k) {
  const KernelInfo& ref = reference_kernel(Op::kQuantAct, k.wtype);
  std::mt19937 rng(8);
  bool ok = true;
  for (int64_t K : {256, 2560, 6912}) {
    const auto x = acts(K, rng);
    const size_t bytes = k.atype == TypeId::kQ8_K ? K / kQK_K * sizeof(block_q8_K) : K;
    std::vector<uint8_t> got(bytes), want(bytes);
    float gs = 0, ws = 0;
    int32_t gsum = 0, wsum = 0;
    k.quant_act(x.data(), K, got.data(), &gs, &gsum);
    ref.quant_act(x.data(), K, want.data(), &ws, &wsum);
    const bool same = got == want && bits(gs) == bits(ws) && gsum == wsum;
    std::printf("%-6s %-36s K=%lld\n", same ? "ok" : "FAIL", std::string(k.name).c_str(),
                static_cast<long long>(K));
    ok &= same;
  }
  return ok;
}

bool check_dequant(const KernelInfo& k) {
  const KernelInfo& ref = reference_kernel(Op::kDequant, k.wtype);
  std::mt19937 rng(9);
  const int64_t n = 27 * kQK_K;
  const auto w = ternary_weights(k.wtype, 1, n, rng);
  std::vector<float> got(static_cast<size_t>(n)), want(got.size());
  k.dequant(w.data(), got.data(), n, 0.25f);
  ref.dequant(w.data(), want.data(), n, 0.25f);
  return report(k, "n=" + std::to_string(n), got.data(), want.data(), n);
}

// Dense kernels: the contracts of bitnet/dense_check.h, one line per shape.
bool check_dense(const KernelInfo& k) {
  std::vector<std::string> lines;
  const bool ok = check_dense_kernel(k, lines);
  for (const std::string& l : lines)
    std::printf("%-6s %-36s %s\n", l.rfind("ok", 0) == 0 ? "ok" : "FAIL",
                std::string(k.name).c_str(), l.substr(5).c_str());
  return ok;
}

int check(const std::string& only) {
  int failed = 0, ran = 0, skipped = 0;
  for (const KernelInfo& k : all_kernels()) {
    if (!only.empty() && k.name != only) continue;
    if (!kernel_available(k)) {
      std::printf("%-6s %-36s CPU lacks %s\n", "skip", std::string(k.name).c_str(),
                  std::string(isa_name(k.isa)).c_str());
      ++skipped;
      continue;
    }
    ++ran;
    const bool ok = is_dense_op(k.op)       ? check_dense(k)
                    : k.op == Op::kMatmul   ? check_matmul(k)
                    : k.op == Op::kQuantAct ? check_quant_act(k)
                                            : check_dequant(k);
    failed += !ok;
  }
  if (!only.empty() && ran + skipped == 0)
    throw cli::UsageError("no kernel named '" + only + "' (see bitnet-kernels list)");
  std::printf("%d kernels checked, %d failed, %d skipped\n", ran, failed, skipped);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace bitnet

int main(int argc, char** argv) {
  namespace cli = bitnet::cli;
  CLI::App app("What the kernel registry holds and whether each kernel is right on this CPU.",
               "bitnet-kernels");
  cli::configure(app);
  app.require_subcommand(1);
  CLI::App* list = app.add_subcommand(
      "list",
      "every registered kernel with op, formats, ISA, features, tile, whether this CPU runs it\n"
      "and whether dispatch selects it at 1 thread (gemv = 1 column, gemm = 64 columns); then\n"
      "this CPU's measured dispatch table, if one was made (never measures)");
  bool json = false;
  list->add_flag("--json", json, "print the same as JSON");
  CLI::App* tune = app.add_subcommand(
      "tune",
      "times every runnable kernel on the 2B4T layer shapes and (re)writes the dispatch table\n"
      "for the thread counts");
  std::string threads_text;
  tune->add_option("--threads", threads_text,
                   "thread counts, comma-separated (default: 1 and every available CPU)")
      ->type_name("N[,M...]");
  CLI::App* check = app.add_subcommand(
      "check", "every available kernel (or NAME) against its scalar reference; exit 1 on mismatch");
  std::string only;
  check->add_option("--kernel", only, "check only this kernel")->type_name("NAME");
  const char* footer =
      "Environment: BITNET_ISA=scalar|sse41|avx2|avx512|avx512vnni pins the dispatch ISA (static\n"
      "order, no table); BITNET_TUNE=off uses the static order; BITNET_CACHE = cache directory.\n"
      "Exit status: 0 ok, 1 mismatch or error, 2 usage error (docs/cli.md).";
  for (CLI::App* a : {&app, list, tune, check}) a->footer(footer);
  return cli::run(app, argc, argv, [&] {
    if (list->parsed()) return bitnet::list(json);
    if (check->parsed()) return bitnet::check(only);
    std::vector<int> threads = {1};
    if (!threads_text.empty()) {
      threads.clear();
      for (int64_t n : cli::parse_int_list("--threads", threads_text, 1, 1024))
        threads.push_back(static_cast<int>(n));
    } else {
      // Like the suite's default thread counts: 1 and every CPU this process may run on.
      cpu_set_t set;
      CPU_ZERO(&set);
      const int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
      if (cpus > 1) threads.push_back(cpus);
    }
    if (!bitnet::tuning_enabled())
      throw cli::UsageError("BITNET_TUNE=off: unset it to make a tuning table");
    return bitnet::tune(threads);
  });
}
