// Measured dispatch ("wisdom", as FFTW calls it): per op, weight format, activation-column
// class, thread count and weight residency, the kernel that was fastest on this machine, chosen
// by timing every kernel the CPU can run on the BitNet b1.58 2B4T layer shapes. The table is cached
// per CPU under <cache dir>/tuning/ and rebuilt when the kernel set (or the CPU's features)
// changed.
//
// Column classes: 1 (GEMV), 2-15, 16-63, 64+. They follow the kernels' tiles: below 16 columns
// the 16-wide table-lookup tiles cannot fill a tile; from 64 a GEMM amortises a weight row over
// enough columns that compute, not the weight stream, decides. Each class is timed at one
// representative count (1, 8, 32, 128: the suite's batch sizes).
//
// Shapes: every decision is made twice over, per layer shape (M x K, each timed on its own) and
// over all of them (the sum of one call of each): a kernel that wins on a 2560x2560 matrix can
// lose on a 6912x2560 one (measured: the 16x16 tile wins at 2560 rows and ties or loses at 6912
// on an AVX-512 VNNI Zen 4), so a caller that knows its shape gets that shape's winner, any other
// shape the overall one. Both come from the same interleaved rounds: no extra timing.
//
// Residency: GEMV and the small batches (classes 1 and 2-15) are timed twice, with the weights
// hot (the same matrices every call) and cold (rotating through copies whose total exceeds the
// reported last-level cache, at least 64 MiB), since a kernel that wins in cache can lose when
// the weights stream from DRAM (a decode over a real model). From 16 columns each weight byte
// serves 16+ columns and compute decides: cold queries use the hot entry.
//
// Procedure (robust on a shared, noisy machine): every candidate runs three times on the
// smallest shape; those whose best run is more than 3x the best are dropped (never the static
// choice) (a scalar reference at 128 columns would otherwise cost seconds and can never win).
// The rest are timed in interleaved rounds (the starting candidate rotates each round, so a burst
// of load hits all of them alike), each round one call per layer shape at its full size (a GEMM
// timed on a slice of the rows would overweight per-call set-up such as building lookup tables;
// a hot call follows an untimed call of the same shape, as in a loop over one matrix),
// and compared by the median of their CPU time (the time spent waiting for a core on a shared
// machine is not the kernel's). Candidates within kTieFraction of the best median count as tied;
// of those the one first in the static order (registry.h) wins.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/kernels/kernel.h"

namespace bitnet {

// BITNET_TUNE: unset, "on" or "1" = measured dispatch; "off" or "0" = the static order. Anything
// else throws std::runtime_error naming the value.
bool tuning_enabled();

inline constexpr int kNClasses = 4;
inline constexpr int kColdClasses = 2;  // classes 0 (1) and 1 (2-15) have cold entries
inline constexpr double kTieFraction = 0.03;
int n_class(int64_t n_cols);             // 0: 1, 1: 2-15, 2: 16-63, 3: 64+
std::string_view n_class_name(int cls);  // "1", "2-15", "16-63", "64+"
int64_t n_class_columns(int cls);        // the column count a class is timed at

// A hash of the kernel list (names, ops, formats, ISA tags, tiles) and the tuning procedure's
// version: a table made for another kernel set is stale.
uint64_t kernel_set_hash();
// The SHA-256 (64 hex digits) of the kernels' code as built: every source, header and list under
// kernels/ (the engine excepted), the ISA flags, the compiler and its flags, made by a build step
// (cmake/KernelCodeHash.cmake) that reruns on any edit. A table made by other code is stale too,
// so a kernel edited in a tuning loop gets a fresh table.
std::string_view kernel_code_sha256();

// One decision. op kQuantAct and kDequant have one entry per format (class 0, threads 1): they
// run per column or per row, whatever the pool.
struct TuneEntry {
  Op op = Op::kMatmul;
  TypeId wtype = TypeId::kTQ2_0;
  int n_class = 0;
  int threads = 1;
  Residency residency = Residency::kHot;
  MatmulShape shape;                             // {0, 0}: all tuned shapes together
  std::string kernel;                            // the winner
  std::string static_kernel;                     // what the static order picks
  std::map<std::string, double> median_seconds;  // per timed candidate
  std::vector<std::string> screened_out;         // > 3x the best on the screening runs
};

// Given medians (seconds) and the candidates in static order, the winner: the fastest, unless
// a candidate earlier in the static order is within tie_fraction of it. Candidates without a
// median (screened out) never win. Exposed for tests.
std::string pick_winner(const std::vector<std::string>& static_order,
                        const std::map<std::string, double>& medians, double tie_fraction);

struct TuneSettings {
  // (M, K) of the timed shapes; default: the 2B4T layer shapes (q/o, k/v, gate/up, down).
  std::vector<std::pair<int64_t, int64_t>> shapes;
  int64_t cold_set_bytes = 0;  // weights rotated through for cold entries; 0: cold_set_default()
  int min_rounds = 3, max_rounds = 15;
  double seconds_per_entry = 0.25;  // rounds are added up to this budget (within min/max)
  bool verbose = true;              // one line to stderr when a thread count is tuned
  static TuneSettings defaults();
};

class TuningTable {
 public:
  // The process-wide table at tuning_path() with default settings.
  static TuningTable& instance();
  // A table at an explicit path (tests; "" = in memory only).
  TuningTable(std::string path, TuneSettings settings);

  // The tuned kernel for this op/format/column count/thread count/residency, for this shape if
  // it was tuned (else over all tuned shapes). Tunes (and saves) every entry of that thread
  // count on first use. threads < 1 counts as 1.
  const KernelInfo& choose(Op op, TypeId wtype, int64_t n_cols, int threads,
                           Residency weights = Residency::kHot, MatmulShape shape = {});
  // Measures every entry for this thread count now (replacing existing ones) and saves.
  void tune(int threads);
  // Makes sure the entries of this thread count exist (loading or tuning them).
  void ensure(int threads);
  // The entry's kernel if the table (loaded from its file, never measured here) has one.
  const KernelInfo* lookup(Op op, TypeId wtype, int64_t n_cols, int threads,
                           Residency weights = Residency::kHot, MatmulShape shape = {});

  std::vector<TuneEntry> entries();
  // The entries as a compact JSON array, as the cache file stores them (op, weights, n_class, n,
  // threads, residency, M and K for per-shape entries, kernel, static, median_ms, screened_out):
  // for run contexts and tools.
  std::string entries_json();
  std::string path() const { return path_; }
  // How the table came to be: "loaded", "loaded, extended" (a thread count added), "tuned now",
  // "rebuilt: <why the file was stale>", "none yet" (no file, nothing measured).
  std::string status();

 private:
  void load_locked();
  void save_locked();
  void tune_locked(int threads);
  // The entry for exactly this key (shape {0, 0}: the all-shapes entry).
  const TuneEntry* find_locked(Op op, TypeId wtype, int cls, int threads, Residency r,
                               MatmulShape shape = {}) const;
  // This shape's entry if tuned, else the all-shapes one.
  const TuneEntry* best_locked(Op op, TypeId wtype, int cls, int threads, Residency r,
                               MatmulShape shape) const;

  std::mutex mu_;
  std::string path_;
  TuneSettings settings_;
  bool loaded_ = false;
  std::string status_ = "none yet";
  std::vector<TuneEntry> entries_;
};

// The cold set when TuneSettings::cold_set_bytes is 0: twice the reported last-level cache,
// clamped to [64 MiB, 512 MiB] (a hypervisor may report far more than is there).
int64_t cold_set_default();

// <cache dir>/tuning/<cpu model, sanitized>.json; cache dir as for fixtures: $BITNET_CACHE, else
// $XDG_CACHE_HOME/bitnet-bench, else $HOME/.cache/bitnet-bench ("" when none is set).
std::string tuning_path();

}  // namespace bitnet
