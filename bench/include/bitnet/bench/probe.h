// The machine's limits, measured on the running machine: streaming read bandwidth from DRAM, L3
// and L2, and the int8 multiply-accumulate peak per ISA. Benchmarks report bw_frac/peak_frac
// against these. Results are cached per machine under <cache dir>/probe/ (bitnet_benches
// --bitnet_probe re-measures).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bitnet/kernels/kernel.h"

namespace bitnet {
class ThreadPool;
}

namespace bitnet::bench {

enum class Limit { kDramRead, kL3Read, kL2Read, kInt8Peak };
const char* limit_name(Limit l);  // "dram_read", "l3_read", "l2_read", "int8_peak"

struct CacheSizes {
  size_t l2 = 512 * 1024;       // per core
  size_t l3 = 8 * 1024 * 1024;  // shared by the cores this process runs on
};
// What the OS reports: sysfs (/sys/devices/system/cpu/cpu0/cache/index*/), else sysconf, else
// the defaults. A hypervisor may report anything (a 480 MiB "L3"): use measured_cache_sizes().
const CacheSizes& cache_sizes();

// The reported sizes capped by a single-thread read-bandwidth sweep over working sets (64 KiB up
// to 2x the reported L3, at most a quarter of RAM): a level ends where the bandwidth falls to the
// next plateau. L3 = the largest working set still reading >= 1.5x the sweep's DRAM plateau; L2 =
// the largest (<= reported L2) reading >= 1.2x the L3 plateau. Measured once per machine and
// cached with the limits.
CacheSizes measured_cache_sizes();

// The rule above, on a sweep of (working-set bytes, bytes/s) in increasing size; exposed for
// tests. Never raises a level above what was reported.
CacheSizes sizes_from_sweep(const CacheSizes& reported,
                            const std::vector<std::pair<size_t, double>>& sweep);

// Bytes of physical memory (sysconf), 0 if unknown.
size_t physical_memory_bytes();

// One measurement: bytes/s for the read limits, int8 ops/s (2 per multiply-add) for the peak.
// Runs `threads` threads at once (each on its own buffer) for about `seconds`, repeating passes;
// returns the best of several trials, per CPU-second of each thread (a limit is what the machine
// reaches while we run, even when a shared machine preempts us).
// kInt8Peak needs an isa with an int8 dot instruction (kAvx2: vpmaddubsw, kAvx512Vnni: vpdpbusd);
// throws std::runtime_error("CPU lacks <isa>") when the CPU cannot run it.
// Buffers are sized from `sizes` (default: measured_cache_sizes()): L2 = half of each core's L2,
// L3 = half the L3, DRAM = 8x the L3 (>= 64 MiB, <= a quarter of RAM) over all threads.
double measure_limit(Limit l, int threads, Isa isa = Isa::kAvx2, double seconds = 0.5,
                     std::optional<CacheSizes> sizes = std::nullopt);

// The per-ISA measurement loops (bench/probe_<isa>.cc). ops: int8 ops executed (2 per MAC).
uint64_t read_bytes_avx2(const uint8_t* p, size_t n);  // returns a checksum
uint64_t read_bytes_neon(const uint8_t* p, size_t n);
uint64_t read_bytes_generic(const uint8_t* p, size_t n);
uint64_t int8_peak_avx2(uint64_t iterations, uint64_t* ops);
uint64_t int8_peak_avx512vnni(uint64_t iterations, uint64_t* ops);
uint64_t int8_peak_neon(uint64_t iterations, uint64_t* ops);
uint64_t int8_peak_dotprod(uint64_t iterations, uint64_t* ops);

// This architecture's loops (bench/probe_loops_<arch>.cc): the widest read loop this CPU runs,
// the int8 peak loop of an ISA (nullptr: none), and the ISAs that have one, least capable first.
using ReadLoop = uint64_t (*)(const uint8_t* p, size_t n);
using Int8PeakLoop = uint64_t (*)(uint64_t iterations, uint64_t* ops);
ReadLoop fast_read_loop();
Int8PeakLoop int8_peak_loop(Isa isa);
std::span<const Isa> int8_peak_isas();

// The cached limits of this machine. get() measures missing entries and writes the cache file.
class MachineLimits {
 public:
  static MachineLimits& instance();
  // Reads the cache file (if it matches this machine) unless `refresh`; never measures.
  void load(bool refresh);
  double get(Limit l, int threads, Isa isa = Isa::kAvx2);
  // The bandwidth limit for a working set: L2 when it fits the cores' L2, L3 when it fits L3,
  // else DRAM. `cold` (weights rotated over > L3) always means DRAM.
  double read_bandwidth_for(size_t working_set, int threads, bool cold);
  std::string cache_path() const { return path_; }
  std::string machine_key() const { return key_; }
  bool loaded_from_cache() const { return from_cache_; }
  std::map<std::string, double> values();
  // The measured cache levels (sweeping now if the cache file has none).
  CacheSizes cache_levels();
  // Problems with the limits of these thread counts: a level reading slower than the one below
  // it (l2_read < l3_read or l3_read < dram_read). Empty when sane.
  std::vector<std::string> sanity(const std::vector<int>& threads);

 private:
  MachineLimits();
  void save();
  CacheSizes cache_levels_locked();
  std::mutex mu_;
  std::string path_, key_;
  bool from_cache_ = false;
  std::map<std::string, double> values_;  // "dram_read/threads:1" -> bytes/s
};

// The ISA whose int8 dot instruction defines this machine's peak: the most capable of
// int8_peak_isas() this CPU runs (x86-64: avx512vnni, else avx2's vpmaddubsw; aarch64: dotprod's
// SDOT, else neon's SMLAL); nullopt on a CPU with none (peak_frac is then not reported).
std::optional<Isa> machine_int8_isa();

// "dram_read/threads:2", "int8_peak/avx2/threads:1": the key used in the cache and in row names.
std::string limit_key(Limit l, int threads, Isa isa);

}  // namespace bitnet::bench
