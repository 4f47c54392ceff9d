// bitnet-kernels: what the kernel registry holds and whether each kernel is right on this CPU.
//   bitnet-kernels list [--json]   every kernel: op, formats, ISA, tile, available, selected
//   bitnet-kernels check [--kernel NAME]
//                                  runs every available kernel against its scalar reference on a
//                                  few shapes (bit-exact); exit 1 on any mismatch
// Exit codes: 0 ok, 1 mismatch or error, 2 usage error.
#include <cstdint>
#include <cstring>
#include <exception>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/dense_check.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"

namespace bitnet {
namespace {

constexpr char kUsage[] =
    "usage: bitnet-kernels list [--json]\n"
    "       bitnet-kernels check [--kernel NAME]\n"
    "  list   every registered kernel with op, formats, ISA, tile, whether this CPU runs it and\n"
    "         whether dispatch selects it (gemv = for 1 column, gemm = for 64 columns)\n"
    "  check  every available kernel (or NAME) against its scalar reference; exit 1 on mismatch\n"
    "Environment: BITNET_ISA=scalar|sse41|avx2|avx512|avx512vnni pins the dispatch ISA.\n";

std::string type_name(TypeId t) {
  const auto tr = type_traits(static_cast<uint32_t>(t));
  return tr ? std::string(tr->name) : std::to_string(static_cast<uint32_t>(t));
}

// Whether dispatch picks k for one column and for 64 columns (under the current pin).
std::pair<bool, bool> selected(const KernelInfo& k) {
  if (is_dense_op(k.op)) {
    const bool sel = &select_dense_kernel(k.op, k.wtype, k.atype) == &k;
    return {sel, sel};
  }
  const TypeId w = k.wtype;
  return {&select_kernel(k.op, w, 1) == &k, &select_kernel(k.op, w, 64) == &k};
}

int list(bool json) {
  const auto pin = isa_pin();  // throws on a bad pin: reported by main
  if (json) {
    nlohmann::ordered_json out;
    out["cpu"] = cpu_model_name();
    out["cpu_features"] = cpu_features_string();
    out["best_isa"] = std::string(isa_name(best_cpu_isa()));
    out["isa_pin"] = pin ? nlohmann::ordered_json(std::string(isa_name(*pin))) : nullptr;
    out["kernels"] = nlohmann::ordered_json::array();
    for (const KernelInfo& k : all_kernels()) {
      const bool avail = kernel_available(k);
      const auto [gemv, gemm] = avail ? selected(k) : std::pair<bool, bool>{false, false};
      out["kernels"].push_back({{"name", std::string(k.name)},
                                {"op", std::string(op_name(k.op))},
                                {"weights", type_name(k.wtype)},
                                {"acts", type_name(k.atype)},
                                {"isa", std::string(isa_name(k.isa))},
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
            << "\n\n";
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
  if (!only.empty() && ran + skipped == 0) {
    std::cerr << "bitnet-kernels: no kernel named '" << only << "' (see bitnet-kernels list)\n";
    return 2;
  }
  std::printf("%d kernels checked, %d failed, %d skipped\n", ran, failed, skipped);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace bitnet

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << bitnet::kUsage;
    return 0;
  }
  auto usage_error = [](const std::string& msg) {
    std::cerr << "bitnet-kernels: " << msg << "\n" << bitnet::kUsage;
    return 2;
  };
  if (args.empty()) return usage_error("missing command");
  try {
    if (args[0] == "list") {
      bool json = false;
      for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--json")
          json = true;
        else
          return usage_error("unknown option '" + args[i] + "'");
      }
      return bitnet::list(json);
    }
    if (args[0] == "check") {
      std::string only;
      for (size_t i = 1; i < args.size(); ++i) {
        if (args[i] == "--kernel" && i + 1 < args.size())
          only = args[++i];
        else
          return usage_error("unknown option '" + args[i] + "'");
      }
      return bitnet::check(only);
    }
    return usage_error("unknown command '" + args[0] + "'");
  } catch (const std::exception& e) {
    std::cerr << "bitnet-kernels: " << e.what() << "\n";
    return 1;
  }
}
