#include "bitnet/bench/probe.h"

#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bitnet/bench/options.h"
#include "bitnet/fixtures/cache.h"
#include "bitnet/fixtures/sha256.h"
#include "bitnet/kernels/cache_info.h"
#include "bitnet/kernels/cpu.h"

namespace bitnet::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kProbeFormatVersion = 2;  // 2: measured cache levels

struct AlignedFree {
  void operator()(uint8_t* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<uint8_t[], AlignedFree>;
Buffer alloc_filled(size_t n) {
  n = (n + 63) / 64 * 64;
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, n));
  if (!p) throw std::runtime_error("probe: cannot allocate " + std::to_string(n) + " bytes");
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i * 131 + 7);
  return Buffer(p);
}

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Runs pass(state) repeatedly in `threads` threads at once over several short trials and returns
// the best trial's sum over threads of units per CPU-second of that thread. Thread CPU time, not
// wall time: on a shared machine the threads get preempted, and a limit is what the hardware
// does while we run (a busy neighbour still shares the caches and memory bus, so measure on a
// quiet machine for the best numbers).
template <typename Prepare, typename Pass>
double best_rate(int threads, double seconds, Prepare prepare, Pass pass) {
  constexpr int kTrials = 10;
  const auto window = std::chrono::duration<double>(seconds / kTrials);
  std::vector<double> rate(threads * kTrials);
  std::barrier sync(threads);
  std::vector<std::thread> pool;
  std::vector<uint64_t> sink(threads);
  auto body = [&](int t) {
    auto state = prepare(t);
    pass(state, &sink[t]);  // warm up (page faults, caches, clocks)
    for (int trial = 0; trial < kTrials; ++trial) {
      sync.arrive_and_wait();
      const auto start = Clock::now();
      const double cpu0 = thread_cpu_seconds();
      double done = 0;
      do {
        done += pass(state, &sink[t]);
      } while (Clock::now() - start < window);
      rate[trial * threads + t] = done / std::max(1e-9, thread_cpu_seconds() - cpu0);
    }
  };
  for (int t = 1; t < threads; ++t) pool.emplace_back(body, t);
  body(0);
  for (auto& th : pool) th.join();
  double best = 0;
  for (int trial = 0; trial < kTrials; ++trial) {
    double r = 0;
    for (int t = 0; t < threads; ++t) r += rate[trial * threads + t];
    best = std::max(best, r);
  }
  return best;
}

}  // namespace

uint64_t read_bytes_generic(const uint8_t* p, size_t n) {
  uint64_t sum = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, p + i, 8);
    sum += v;
  }
  return sum;
}

std::optional<Isa> machine_int8_isa() {
  std::optional<Isa> best;
  for (Isa isa : int8_peak_isas())
    if (cpu_has(isa)) best = isa;
  return best;
}

const char* limit_name(Limit l) {
  switch (l) {
    case Limit::kDramRead:
      return "dram_read";
    case Limit::kL3Read:
      return "l3_read";
    case Limit::kL2Read:
      return "l2_read";
    case Limit::kInt8Peak:
      return "int8_peak";
  }
  return "?";
}

std::string limit_key(Limit l, int threads, Isa isa) {
  std::string k = limit_name(l);
  if (l == Limit::kInt8Peak) {
    k += '/';
    k += isa_name(isa);
  }
  k += "/threads:";
  k += std::to_string(threads);
  return k;
}

const CacheSizes& cache_sizes() {
  static const CacheSizes sizes = [] {
    CacheSizes c;
    size_t l2 = static_cast<size_t>(reported_cache_bytes(2)),
           l3 = static_cast<size_t>(reported_cache_bytes(3));
    if (!l2) l2 = static_cast<size_t>(std::max(0L, sysconf(_SC_LEVEL2_CACHE_SIZE)));
    if (!l3) l3 = static_cast<size_t>(std::max(0L, sysconf(_SC_LEVEL3_CACHE_SIZE)));
    if (l2) c.l2 = l2;
    if (l3) c.l3 = l3;
    return c;
  }();
  return sizes;
}

size_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<size_t>(pages) * static_cast<size_t>(page) : 0;
}

namespace {

size_t quarter_of_ram() {
  const size_t ram = physical_memory_bytes();
  return ram ? ram / 4 : size_t{1} << 30;
}

double read_rate(size_t bytes, int threads, double seconds) {
  auto read = fast_read_loop();
  return best_rate(
      threads, seconds, [bytes](int) { return alloc_filled(bytes); },
      [bytes, read](const Buffer& b, uint64_t* sink) {
        *sink += read(b.get(), bytes / 64 * 64);
        return static_cast<double>(bytes / 64 * 64);
      });
}

}  // namespace

CacheSizes sizes_from_sweep(const CacheSizes& reported,
                            const std::vector<std::pair<size_t, double>>& sweep) {
  CacheSizes out = reported;
  if (sweep.size() < 3) return out;
  const double dram = sweep.back().second;
  size_t l3 = 0;
  for (const auto& [bytes, rate] : sweep)
    if (rate >= 1.5 * dram) l3 = bytes;
  if (l3 > 0) out.l3 = std::min(reported.l3, l3);
  // The L3 plateau: the rate at about half the measured L3.
  double l3_rate = 0;
  for (const auto& [bytes, rate] : sweep)
    if (bytes <= out.l3 / 2) l3_rate = rate;
  size_t l2 = 0;
  for (const auto& [bytes, rate] : sweep)
    if (bytes <= reported.l2 && l3_rate > 0 && rate >= 1.2 * l3_rate) l2 = bytes;
  if (l2 > 0) out.l2 = std::min(reported.l2, l2);
  if (out.l2 >= out.l3) out.l2 = std::min(reported.l2, out.l3 / 2);
  return out;
}

double measure_limit(Limit l, int threads, Isa isa, double seconds,
                     std::optional<CacheSizes> sizes) {
  seconds = std::max(seconds, 0.05);
  if (threads < 1) throw std::invalid_argument("probe: threads must be >= 1");
  const CacheSizes cs = sizes ? *sizes : measured_cache_sizes();
  if (l == Limit::kInt8Peak) {
    const Int8PeakLoop loop = int8_peak_loop(isa);
    if (!loop)
      throw std::runtime_error("probe: no int8 peak loop for " + std::string(isa_name(isa)));
    if (!cpu_has(isa)) throw std::runtime_error("CPU lacks " + std::string(isa_name(isa)));
    return best_rate(
        threads, seconds, [](int) { return 0; },
        [loop](int, uint64_t* sink) {
          uint64_t ops = 0;
          *sink += loop(1 << 16, &ops);
          return static_cast<double>(ops);
        });
  }
  size_t per_thread = 0;
  switch (l) {
    case Limit::kDramRead:  // 8x the measured L3 (>= 64 MiB, <= RAM/4) in total: all misses
      per_thread =
          std::min(std::max<size_t>(8 * cs.l3, size_t{64} << 20), quarter_of_ram()) / threads;
      break;
    case Limit::kL3Read:  // half the measured L3
      per_thread = cs.l3 / 2 / threads;
      break;
    case Limit::kL2Read:  // half of each core's L2
      per_thread = cs.l2 / 2;
      break;
    default:
      break;
  }
  auto read = fast_read_loop();
  return best_rate(
      threads, seconds, [per_thread](int) { return alloc_filled(per_thread); },
      [per_thread, read](const Buffer& b, uint64_t* sink) {
        *sink += read(b.get(), per_thread / 64 * 64);
        return static_cast<double>(per_thread / 64 * 64);
      });
}

MachineLimits& MachineLimits::instance() {
  static MachineLimits m;
  return m;
}

MachineLimits::MachineLimits() {
  // The cache key: anything that changes the limits (CPU model, features, CPUs, cache sizes).
  std::string identity = cpu_model_name() + "|" + cpu_features_string() + "|" +
                         std::to_string(available_cpus()) + "|" + std::to_string(cache_sizes().l2) +
                         "|" + std::to_string(cache_sizes().l3) + "|v" +
                         std::to_string(kProbeFormatVersion);
  fixtures::Sha256 h;
  h.update(identity.data(), identity.size());
  key_ = h.hex_digest().substr(0, 16);
  path_ = fixtures::cache_dir() + "/probe/" + key_ + ".json";
}

void MachineLimits::load(bool refresh) {
  std::lock_guard lock(mu_);
  values_.clear();
  from_cache_ = false;
  if (refresh) return;
  std::ifstream in(path_);
  if (!in) return;
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (j.at("format_version").get<int>() != kProbeFormatVersion) return;
    for (auto& [k, v] : j.at("limits").items()) values_[k] = v.get<double>();
    from_cache_ = true;
  } catch (const std::exception& e) {
    // A damaged cache is re-measured, not trusted.
    std::fprintf(stderr, "bitnet_benches: ignoring unreadable probe cache %s: %s\n", path_.c_str(),
                 e.what());
    values_.clear();
  }
}

void MachineLimits::save() {
  nlohmann::json j;
  j["format_version"] = kProbeFormatVersion;
  j["cpu_model"] = cpu_model_name();
  j["cpu_features"] = cpu_features_string();
  j["cpus"] = available_cpus();
  j["l2_bytes"] = cache_sizes().l2;
  j["l3_bytes"] = cache_sizes().l3;
  j["measured_at_unix"] = static_cast<int64_t>(std::time(nullptr));
  j["limits"] = values_;
  try {
    fixtures::make_dirs(std::filesystem::path(path_).parent_path().string());
    std::string tmp = path_ + ".tmp" + std::to_string(getpid());
    {
      std::ofstream out(tmp);
      out << j.dump(2) << "\n";
      if (!out) throw std::runtime_error("write failed");
    }
    std::filesystem::rename(tmp, path_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet_benches: cannot write probe cache %s: %s\n", path_.c_str(),
                 e.what());
  }
}

CacheSizes MachineLimits::cache_levels_locked() {
  const CacheSizes& reported = cache_sizes();
  auto l2 = values_.find("measured_l2_bytes"), l3 = values_.find("measured_l3_bytes");
  if (l2 != values_.end() && l3 != values_.end())
    return {static_cast<size_t>(l2->second), static_cast<size_t>(l3->second)};
  std::fprintf(stderr, "bitnet_benches: sweeping read bandwidth over working-set sizes ...\n");
  const size_t top = std::min(2 * reported.l3, quarter_of_ram());
  std::vector<std::pair<size_t, double>> sweep;
  for (size_t bytes = size_t{64} << 10; bytes <= top; bytes *= 2) {
    const double rate = read_rate(bytes, 1, 0.08);
    sweep.push_back({bytes, rate});
    values_["sweep_read/" + std::to_string(bytes)] = rate;
  }
  const CacheSizes m = sizes_from_sweep(reported, sweep);
  values_["measured_l2_bytes"] = static_cast<double>(m.l2);
  values_["measured_l3_bytes"] = static_cast<double>(m.l3);
  save();
  return m;
}

CacheSizes MachineLimits::cache_levels() {
  std::lock_guard lock(mu_);
  return cache_levels_locked();
}

CacheSizes measured_cache_sizes() {
  return MachineLimits::instance().cache_levels();
}

std::vector<std::string> MachineLimits::sanity(const std::vector<int>& threads) {
  std::vector<std::string> out;
  for (int t : threads) {
    const double l2 = get(Limit::kL2Read, t), l3 = get(Limit::kL3Read, t),
                 dram = get(Limit::kDramRead, t);
    char buf[160];
    if (l2 < l3) {
      std::snprintf(buf, sizeof buf, "threads %d: l2_read %.3g B/s < l3_read %.3g B/s", t, l2, l3);
      out.push_back(buf);
    }
    if (l3 < dram) {
      std::snprintf(buf, sizeof buf, "threads %d: l3_read %.3g B/s < dram_read %.3g B/s", t, l3,
                    dram);
      out.push_back(buf);
    }
  }
  return out;
}

double MachineLimits::get(Limit l, int threads, Isa isa) {
  std::lock_guard lock(mu_);
  const std::string key = limit_key(l, threads, isa);
  if (auto it = values_.find(key); it != values_.end()) return it->second;
  const CacheSizes sizes = cache_levels_locked();
  std::fprintf(stderr, "bitnet_benches: probing %s ...\n", key.c_str());
  double v = measure_limit(l, threads, isa, 0.5, sizes);
  values_[key] = v;
  save();
  return v;
}

double MachineLimits::read_bandwidth_for(size_t working_set, int threads, bool cold) {
  const CacheSizes cs = cache_levels();
  if (cold || working_set > cs.l3) return get(Limit::kDramRead, threads);
  if (working_set <= cs.l2 * static_cast<size_t>(threads)) return get(Limit::kL2Read, threads);
  return get(Limit::kL3Read, threads);
}

std::map<std::string, double> MachineLimits::values() {
  std::lock_guard lock(mu_);
  return values_;
}

}  // namespace bitnet::bench
