// The peers' kernels as rows beside ours: gemv|gemm/<format>/peer.<name>/M/K/N/threads/hot|cold
// and quant_act/<q8_k|i8_s>/peer.<name>/N/K/threads:1, for the peers named by --bitnet_peer (or
// LLAMA_CPP_DIR / BITNET_CPP_DIR). Same shapes, seeds, weight bytes, residency rules and thread
// pool as our rows. Before a peer is timed its kernels pass the checks of bitnet/peers/
// peer_verify.h; its packing of the case's weights must equal ours byte for byte (so the timed
// copies are the peer's own format) and its activations our reference's; after the loop its
// output is compared with our scalar reference. A failure is an error row, never a timing.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "bitnet/bench/context.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/options.h"
#include "bitnet/bench/shapes.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/peers/peer_kernels.h"
#include "bitnet/peers/peer_verify.h"
#include "bitnet/results/naming.h"
#include "suite.h"

namespace bitnet::bench {
namespace {

using peers::Peer;
using peers::PeerFormat;

struct LoadedPeer {
  peers::PeerSpec spec;
  std::unique_ptr<Peer> peer;  // null when loading failed
  std::string error;           // why it failed
};

// Kept for the whole run: the rows call into the libraries.
std::vector<std::unique_ptr<LoadedPeer>>& loaded_peers() {
  static std::vector<std::unique_ptr<LoadedPeer>> p;
  return p;
}

// What each peer offers; a peer that failed to load gets error rows for these.
std::vector<TypeId> peer_formats(peers::PeerKind k) {
  if (k == peers::PeerKind::kLlamaCpp) return {TypeId::kTQ2_0, TypeId::kTQ1_0};
  return {TypeId::kI2_S};
}

std::string impl_of(const LoadedPeer& lp) {
  return "peer." + std::string(peers::peer_name(lp.spec.kind));
}

// The peer's format, or why it cannot run (load failure, ABI check, failed verification).
const PeerFormat* usable_format(const LoadedPeer& lp, TypeId wtype, std::string* why) {
  static std::mutex mu;
  static std::map<const PeerFormat*, std::string> verdicts;
  if (!lp.peer) {
    *why = lp.error;
    return nullptr;
  }
  const PeerFormat* f = lp.peer->format(wtype);
  if (f == nullptr) {
    *why = std::string(lp.peer->name()) + " has no " + type_label(wtype) + " kernel";
    return nullptr;
  }
  std::lock_guard lock(mu);
  auto it = verdicts.find(f);
  if (it == verdicts.end())
    it = verdicts.emplace(f, peers::check_format(*f, run_options().seed)).first;
  if (!it->second.empty()) {
    *why = std::string(lp.peer->name()) + ": " + it->second;
    return nullptr;
  }
  return f;
}

// The peer's packing of this case's weight floats against ours (cached per format and shape).
const std::string& packing_verdict(const PeerFormat& f, int64_t M, int64_t K) {
  static std::mutex mu;
  static std::map<std::tuple<const PeerFormat*, int64_t, int64_t>, std::string> cache;
  std::lock_guard lock(mu);
  auto [it, fresh] = cache.try_emplace({&f, M, K});
  if (!fresh) return it->second;
  const WeightMatrix& ours = weights_for(f.wtype(), M, K, false);
  const std::vector<float> src = weight_source(f.wtype(), M, K);
  std::vector<uint8_t> theirs(f.tensor_bytes(M, K));
  if (theirs.size() != ours.tensor_bytes) {
    it->second = "packing: the peer's tensor is " + std::to_string(theirs.size()) +
                 " bytes, ours " + std::to_string(ours.tensor_bytes);
    return it->second;
  }
  f.pack(src.data(), M, K, theirs.data());
  for (size_t i = 0; i < theirs.size(); ++i)
    if (theirs[i] != ours.copies[0][i]) {
      it->second = "packing: the peer's " + type_label(f.wtype()) + " byte " + std::to_string(i) +
                   " (row " + std::to_string(i / ours.row_bytes) + ") is " +
                   std::to_string(theirs[i]) + ", ours " + std::to_string(ours.copies[0][i]);
      break;
    }
  return it->second;
}

struct PeerMatCase {
  const LoadedPeer* lp;
  TypeId wtype;
  int64_t M, K, N;
  int threads;
  bool cold;
};

void run_matmul_case(benchmark::State& st, const PeerMatCase& c) {
  try {
    std::string why;
    const PeerFormat* f = usable_format(*c.lp, c.wtype, &why);
    if (f == nullptr) {
      st.SkipWithError(why.c_str());
      return;
    }
    if (const std::string& e = packing_verdict(*f, c.M, c.K); !e.empty()) {
      st.SkipWithError(e.c_str());
      return;
    }
    const WeightMatrix& w = weights_for(c.wtype, c.M, c.K, c.cold);
    // The case's activations through the peer's quantizer; they must be our reference's bytes.
    const std::vector<float> x = act_source(c.wtype, c.K, c.N);
    ActBuffer acts, ref_acts;
    acts.resize(f->atype(), c.K, c.N);
    for (int64_t n = 0; n < c.N; ++n)
      f->quantize_act(x.data() + n * c.K, c.K, acts.col(n), &acts.scales()[n], &acts.sums()[n]);
    quantize_acts(c.wtype, x.data(), c.K, c.N, c.K, ref_acts,
                  &reference_kernel(Op::kQuantAct, c.wtype));
    const QuantizedActs got_v = acts.view(), ref_v = ref_acts.view();
    const size_t used = f->atype() == TypeId::kQ8_K ? static_cast<size_t>(c.K / 256) * 292
                                                    : static_cast<size_t>(c.K);
    for (int64_t n = 0; n < c.N; ++n)
      if (std::memcmp(got_v.data + n * got_v.col_bytes, ref_v.data + n * ref_v.col_bytes, used) !=
              0 ||
          (f->atype() == TypeId::kI8 && (std::memcmp(&got_v.scale[n], &ref_v.scale[n], 4) != 0 ||
                                         got_v.sum[n] != ref_v.sum[n]))) {
        st.SkipWithError(("the peer's activation column " + std::to_string(n) +
                          " differs from our reference quantization")
                             .c_str());
        return;
      }

    MatmulArgs a;
    a.wtype = c.wtype;
    a.w = w.copies[0];
    a.w_row_bytes = w.row_bytes;
    a.w_scale = w.w_scale;
    a.M = c.M;
    a.K = c.K;
    a.x = acts.view();
    std::vector<float> y(static_cast<size_t>(c.M * c.N), 0.0f);
    a.y = y.data();
    a.y_col_stride = c.M;
    ThreadPool& pool = pool_for(c.threads);
    // The peer's threading model on our pool: the rows split as our matmul driver splits them,
    // each range computed the way one ggml thread computes its share.
    auto run = [&] {
      pool.parallel_ranges(c.M, 1, 0, [&](int64_t m0, int64_t m1) { f->matmul_rows(a, m0, m1); });
    };
    run();  // warm-up, as for our rows
    size_t i = 0;
    const size_t n_copies = w.copies.size();
    for (auto _ : st) {
      a.w = w.copies[i];
      i = i + 1 == n_copies ? 0 : i + 1;
      run();
      benchmark::ClobberMemory();
    }
    const std::vector<int64_t> check = matmul_check_rows(c.M);
    std::vector<float> got;
    std::vector<int64_t> rows, cols;
    for (int64_t m : check)
      for (int64_t n = 0; n < c.N; ++n) {
        got.push_back(y[static_cast<size_t>(n * c.M + m)]);
        rows.push_back(m);
        cols.push_back(n);
      }
    const std::vector<float>& want = matmul_reference_values(c.wtype, c.M, c.K, c.N);
    if (std::string e = peers::compare_matmul(*f, a, got, want, rows, cols); !e.empty()) {
      st.SkipWithError((std::string(c.lp->peer->name()) + ": " + e).c_str());
      return;
    }
    set_matmul_counters(st, w, c.N, c.threads, c.cold);
    st.SetLabel(f->kernel_name() + "; rows split over " + std::to_string(c.threads) +
                " thread(s) of our pool, one vec_dot per (row, column)");
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

struct PeerQuantCase {
  const LoadedPeer* lp;
  TypeId feeds;
  int64_t N, K;
};

void run_quant_case(benchmark::State& st, const PeerQuantCase& c) {
  try {
    std::string why;
    const PeerFormat* f = usable_format(*c.lp, c.feeds, &why);
    if (f == nullptr) {
      st.SkipWithError(why.c_str());
      return;
    }
    // The stream of our quant_act rows (bench_quant_act.cc): the same floats.
    std::vector<float> x(static_cast<size_t>(c.N * c.K));
    Rng rng(run_options().seed, "quant_act/" + std::to_string(c.K) + "/" + std::to_string(c.N));
    fill_uniform(x, rng);
    ActBuffer got, want;
    got.resize(f->atype(), c.K, c.N);
    auto quantize_all = [&] {
      for (int64_t n = 0; n < c.N; ++n)
        f->quantize_act(x.data() + n * c.K, c.K, got.col(n), &got.scales()[n], &got.sums()[n]);
    };
    quantize_all();
    for (auto _ : st) {
      quantize_all();
      benchmark::ClobberMemory();
    }
    quantize_acts(c.feeds, x.data(), c.K, c.N, c.K, want,
                  &reference_kernel(Op::kQuantAct, c.feeds));
    const size_t used = f->atype() == TypeId::kQ8_K ? static_cast<size_t>(c.K / 256) * 292
                                                    : static_cast<size_t>(c.K);
    for (int64_t n = 0; n < c.N; ++n) {
      const bool same = std::memcmp(got.col(n), want.col(n), used) == 0 &&
                        (f->atype() != TypeId::kI8 ||
                         (std::memcmp(&got.scales()[n], &want.scales()[n], sizeof(float)) == 0 &&
                          got.sums()[n] == want.sums()[n]));
      if (!same) {
        st.SkipWithError((std::string(c.lp->peer->name()) + ": activation column " +
                          std::to_string(n) + " differs from our scalar reference")
                             .c_str());
        return;
      }
    }
    st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * c.N * c.K * 4);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * c.N * c.K);
    st.SetLabel(std::string(f->atype() == TypeId::kQ8_K ? "quantize_row_q8_K (from_float)"
                                                        : "quantize_row_i8_s") +
                ", one call per column");
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
  }
}

// Peer rows follow our dispatch rows' selection, restricted to the real model's shapes in the
// default mode: every 2B4T shape, GEMV and GEMM, every thread count, cold for GEMV only.
bool peer_in_mode(const PeerMatCase& c, bool is_2b4t) {
  switch (run_options().mode) {
    case Mode::kFull:
      return true;
    case Mode::kDefault:
      return is_2b4t && !(c.cold && c.N > 1);
    case Mode::kQuick: {
      const bool qo = c.M == 2560 && c.K == 2560, up = c.M == 6912 && c.K == 2560;
      return (c.N == 1 || c.N == 32) && (qo || up);
    }
  }
  return false;
}

void record_context(const LoadedPeer& lp) {
  const std::string key = "peer_" + sanitize_label(peers::peer_name(lp.spec.kind));
  add_context(key + "_spec", lp.spec.origin + "=" + lp.spec.dir);
  if (!lp.peer) {
    add_context(key + "_error", lp.error);
    return;
  }
  std::string libs, kernels;
  for (const std::string& p : lp.peer->library_paths()) libs += (libs.empty() ? "" : ";") + p;
  for (const auto& f : lp.peer->formats())
    kernels += (kernels.empty() ? "" : "; ") + type_label(f->wtype()) + ": " +
               (f->error().empty() ? f->kernel_name() : "unusable: " + f->error());
  add_context(key + "_libraries", libs);
  add_context(key + "_version",
              lp.peer->version.empty() ? "(unknown: no llama-cli beside it)" : lp.peer->version);
  add_context(key + "_commit", lp.peer->build_commit.empty() ? "(unknown)" : lp.peer->build_commit);
  add_context(key + "_kernels", kernels);
  add_context(key + "_threading",
              "rows split across our thread pool as our matmul driver splits them; each range "
              "runs ggml's single-thread mul_mat loop (16x16 row/column blocks, one vec_dot per "
              "row and column); activations quantized before the timed loop");
}

}  // namespace

void register_peer_benchmarks() {
  const Options& o = run_options();
  std::vector<peers::PeerSpec> specs;
  for (const std::string& s : o.peers) specs.push_back(peers::parse_peer_spec(s));
  if (specs.empty()) specs = peers::peer_specs_from_environment();
  for (const peers::PeerSpec& spec : specs) {
    auto lp = std::make_unique<LoadedPeer>();
    lp->spec = spec;
    try {
      lp->peer = Peer::load(spec);
    } catch (const std::exception& e) {
      lp->error = e.what();
      registration_notes().push_back(std::string(peers::peer_name(spec.kind)) +
                                     " peer rows are errors: " + lp->error);
    }
    record_context(*lp);
    loaded_peers().push_back(std::move(lp));
  }

  for (const auto& lp : loaded_peers()) {
    const std::string impl = impl_of(*lp);
    for (TypeId wtype : peer_formats(lp->spec.kind)) {
      for (const MatShape& s : all_mat_shapes()) {
        if (s.K % k_block(wtype) != 0) continue;  // our rows note the skip
        register_mat_rows(
            wtype, impl, s,
            [&](int64_t N, int t, bool cold) {
              return peer_in_mode(PeerMatCase{lp.get(), wtype, s.M, s.K, N, t, cold},
                                  s.model == "2b4t");
            },
            [p = lp.get(), wtype, M = s.M, K = s.K](benchmark::State& st, int64_t N, int t,
                                                    bool cold) {
              run_matmul_case(st, PeerMatCase{p, wtype, M, K, N, t, cold});
            });
      }
    }
    // Activation quantization: the types the peer's formats consume, at our quant_act shapes.
    const TypeId feeds = peer_formats(lp->spec.kind).front();
    const TypeId atype = act_type_for(feeds);
    std::vector<int64_t> ks;
    for (const MatShape& s : all_mat_shapes()) {
      if (o.mode == Mode::kQuick && s.K != 2560) continue;
      if (o.mode == Mode::kDefault && s.model != "2b4t") continue;
      if (s.K % k_block(feeds) != 0 || (atype == TypeId::kQ8_K && s.K % 256 != 0)) continue;
      if (std::find(ks.begin(), ks.end(), s.K) == ks.end()) ks.push_back(s.K);
    }
    for (int64_t K : ks)
      for (int64_t N : {int64_t{1}, int64_t{128}}) {
        CaseName name{"quant_act",
                      {type_label(atype), impl},
                      {{"N", std::to_string(N)}, {"K", std::to_string(K)}, {"threads", "1"}},
                      "",
                      "",
                      ""};
        registered_names().push_back(name.str());
        PeerQuantCase c{lp.get(), feeds, N, K};
        benchmark::RegisterBenchmark(name.str().c_str(), [c](benchmark::State& st) {
          run_quant_case(st, c);
        })->UseRealTime();
      }
  }
}

}  // namespace bitnet::bench
