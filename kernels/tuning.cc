// The tuning table: measuring candidates, deciding, and the cache file (see tuning.h).
#include "bitnet/kernels/tuning.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "bitnet/formats/quantize.h"
#include "bitnet/kernels/cache_info.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/driver.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/threadpool.h"
#include "kernel_code_hash.h"

namespace bitnet {
namespace {

// Bump when the procedure changes in a way that invalidates old decisions.
constexpr int kProcedureVersion = 3;  // 2: cold entries, GEMM at full shapes; 3: per shape
constexpr const char* kFormatTag = "bitnet-tuning/1";
constexpr double kScreenFactor = 3.0;

constexpr TypeId kFormats[] = {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S};

std::string type_name(TypeId t) {
  const auto tr = type_traits(static_cast<uint32_t>(t));
  return tr ? std::string(tr->name) : std::to_string(static_cast<uint32_t>(t));
}

std::optional<TypeId> format_from_name(const std::string& s) {
  for (TypeId t : kFormats)
    if (type_name(t) == s) return t;
  return std::nullopt;
}

std::optional<Op> op_from_name(const std::string& s) {
  for (Op op : {Op::kMatmul, Op::kDequant, Op::kQuantAct})
    if (op_name(op) == s) return op;
  return std::nullopt;
}

bool serves(const KernelInfo& k, Op op, TypeId wtype) {
  if (k.op != op) return false;
  return op == Op::kQuantAct ? k.atype == act_type_for(wtype) : k.wtype == wtype;
}

// Runnable candidates in static order (the order select_kernel_pinned ranks them in).
std::vector<const KernelInfo*> candidates(Op op, TypeId wtype, int64_t n_cols) {
  std::vector<const KernelInfo*> out;
  for (const KernelInfo& k : all_kernels())
    if (serves(k, op, wtype) && kernel_available(k)) out.push_back(&k);
  std::stable_sort(out.begin(), out.end(), [&](const KernelInfo* a, const KernelInfo* b) {
    return static_order_before(*a, *b, n_cols, std::nullopt);
  });
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Random ternary weights for one (format, M, K): values trit * s, a scale per 256 elements.
// Only up to 64 distinct rows are quantized; larger matrices repeat them (the kernels' cost does
// not depend on the values, and quantizing 2B4T-sized matrices would cost more than timing).
std::vector<uint8_t> ternary_weights(TypeId t, int64_t M, int64_t K, std::mt19937& rng) {
  const int64_t distinct = std::min<int64_t>(M, 64);
  std::vector<float> w(static_cast<size_t>(distinct * K));
  std::uniform_int_distribution<int> trit(-1, 1);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = 0.05f * static_cast<float>(trit(rng)) * static_cast<float>(1 + i / 256 % 3);
  std::vector<uint8_t> q(quantized_bytes(t, distinct * K));
  quantize(t, w.data(), q.data(), distinct * K);
  if (distinct == M) return q;
  const size_t row = weight_row_bytes(t, K), rows_bytes = row * static_cast<size_t>(distinct);
  std::vector<uint8_t> out(quantized_bytes(t, M * K));
  for (int64_t m = 0; m < M; ++m)
    std::copy_n(q.begin() + static_cast<ptrdiff_t>(row * static_cast<size_t>(m % distinct)), row,
                out.begin() + static_cast<ptrdiff_t>(row * static_cast<size_t>(m)));
  // Whatever follows the rows (the I2_S per-tensor scale) comes along.
  std::copy(q.begin() + static_cast<ptrdiff_t>(rows_bytes), q.end(),
            out.begin() + static_cast<ptrdiff_t>(row * static_cast<size_t>(M)));
  return out;
}

std::vector<float> normal_values(size_t n, std::mt19937& rng) {
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> x(n);
  for (auto& v : x) v = d(rng);
  return x;
}

// A timed job: one measured unit is one call of each part (a layer shape) in turn; each part is
// timed on its own too, so the same rounds decide per shape and over all shapes.
struct Job {
  std::vector<MatmulShape> parts = {MatmulShape{}};    // one entry per part
  std::function<void(const KernelInfo&, size_t)> run;  // one call of part i
  std::function<void(const KernelInfo&)> screen;       // one cheap unit (smallest shape)
  // Hot: each timed call follows an untimed call of the same part, so the part's weights and the
  // kernel's scratch are where a loop over one matrix (the suite's rows) has them; without it a
  // hot call would find the previous shape's weights in the caches instead of its own.
  bool repeat_before_timing = false;
};

// CPU time, not wall time: on a shared machine the time spent waiting for a core is not the
// kernel's, and it is what makes wall-clock rankings flip from run to run. One thread: the
// caller's CPU time (the pool runs inline); more: the whole process's (all workers' work, and a
// pool whose rows are badly balanced shows as spinning workers).
double cpu_seconds(int threads) {
  timespec ts{};
  clock_gettime(threads == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

template <class Fn>
double time_once(const Fn& fn, int threads) {
  const double t0 = cpu_seconds(threads);
  fn();
  return cpu_seconds(threads) - t0;
}

// The entries of one (op, format, class, threads): first the one over all parts, then, when the
// job has several parts, one per part (its shape).
std::vector<TuneEntry> measure(Op op, TypeId wtype, int cls, int threads, const Job& job,
                               const TuneSettings& s) {
  TuneEntry e;
  e.op = op;
  e.wtype = wtype;
  e.n_class = cls;
  e.threads = threads;
  const auto cands = candidates(op, wtype, n_class_columns(cls));
  if (cands.empty())
    throw std::runtime_error("tuning: no " + std::string(op_name(op)) + " kernel for " +
                             type_name(wtype) + " runs on this CPU");
  e.static_kernel = std::string(cands.front()->name);
  std::vector<std::string> order;
  for (const KernelInfo* k : cands) order.push_back(std::string(k->name));
  const size_t parts = job.parts.size();
  auto with_shapes = [&](const TuneEntry& all, const std::vector<TuneEntry>& per_part) {
    std::vector<TuneEntry> out{all};
    if (parts > 1) out.insert(out.end(), per_part.begin(), per_part.end());
    return out;
  };
  std::vector<TuneEntry> per_part(parts, e);
  for (size_t p = 0; p < parts; ++p) per_part[p].shape = job.parts[p];
  if (cands.size() == 1) {
    e.kernel = e.static_kernel;
    for (TuneEntry& pe : per_part) pe.kernel = e.kernel;
    return with_shapes(e, per_part);
  }

  // Screening: best of three cheap runs each (the first also warms caches and pool workers).
  // The static choice is never dropped: it is what a tie falls back to.
  std::vector<double> screen(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) {
    auto fn = [&] { job.screen(*cands[i]); };
    screen[i] = time_once(fn, threads);
    for (int r = 0; r < 2; ++r) screen[i] = std::min(screen[i], time_once(fn, threads));
  }
  const double best_screen = *std::min_element(screen.begin(), screen.end());
  std::vector<const KernelInfo*> alive;
  for (size_t i = 0; i < cands.size(); ++i) {
    if (i > 0 && screen[i] > kScreenFactor * best_screen)
      e.screened_out.push_back(std::string(cands[i]->name));
    else
      alive.push_back(cands[i]);
  }

  // Interleaved rounds, rotating the starting candidate; the round count fits the budget.
  // times[i][p]: candidate i's CPU times of part p; total[i]: of whole rounds.
  std::vector<std::vector<std::vector<double>>> times(alive.size(),
                                                      std::vector<std::vector<double>>(parts));
  std::vector<std::vector<double>> total(alive.size());
  for (const KernelInfo* k : alive)  // warm-up at the full shapes
    for (size_t p = 0; p < parts; ++p) job.run(*k, p);
  double spent = 0;
  for (int round = 0; round < s.max_rounds; ++round) {
    if (round >= s.min_rounds && spent >= s.seconds_per_entry) break;
    for (size_t j = 0; j < alive.size(); ++j) {
      const size_t i = (j + static_cast<size_t>(round)) % alive.size();
      double sum = 0;
      for (size_t p = 0; p < parts; ++p) {
        if (job.repeat_before_timing) job.run(*alive[i], p);
        const double t = time_once([&] { job.run(*alive[i], p); }, threads);
        times[i][p].push_back(t);
        sum += t;
      }
      total[i].push_back(sum);
      spent += sum;
    }
  }
  for (size_t i = 0; i < alive.size(); ++i) {
    const std::string name(alive[i]->name);
    e.median_seconds[name] = median(total[i]);
    for (size_t p = 0; p < parts; ++p) per_part[p].median_seconds[name] = median(times[i][p]);
  }
  e.kernel = pick_winner(order, e.median_seconds, kTieFraction);
  for (TuneEntry& pe : per_part) {
    pe.screened_out = e.screened_out;
    pe.kernel = pick_winner(order, pe.median_seconds, kTieFraction);
  }
  return with_shapes(e, per_part);
}

// Matmul entries of one format at one thread count: weights for every shape, activations per
// distinct K, all made once and shared by the column classes. Cold entries rotate through enough
// copies of the whole shape set to exceed the cold set, one copy per timed call.
void tune_matmul(TypeId wtype, int threads, const TuneSettings& s, std::vector<TuneEntry>& out) {
  std::mt19937 rng(1234);
  struct Shape {
    int64_t M, K;
    std::vector<uint8_t> w;
    float scale;
  };
  std::vector<Shape> shapes;
  size_t set_bytes = 0;
  for (auto [M, K] : s.shapes) {
    Shape sh{M, K, ternary_weights(wtype, M, K, rng), 1.0f};
    if (wtype == TypeId::kI2_S) sh.scale = i2s_tensor_scale(sh.w.data(), M * K);
    set_bytes += sh.w.size();
    shapes.push_back(std::move(sh));
  }
  size_t smallest = 0;
  for (size_t i = 1; i < shapes.size(); ++i)
    if (shapes[i].M * shapes[i].K < shapes[smallest].M * shapes[smallest].K) smallest = i;
  const int64_t cold_bytes = s.cold_set_bytes > 0 ? s.cold_set_bytes : cold_set_default();
  const size_t copies =
      std::max<size_t>(2, (static_cast<size_t>(cold_bytes) + set_bytes - 1) / set_bytes);
  // copy 0 is `shapes` itself; the others are byte copies (same values, other addresses).
  std::vector<std::vector<std::vector<uint8_t>>> cold_copies(copies - 1);
  for (auto& c : cold_copies)
    for (const Shape& sh : shapes) c.push_back(sh.w);

  ThreadPool pool(threads);
  for (int cls = 0; cls < kNClasses; ++cls) {
    const int64_t N = n_class_columns(cls);
    std::map<int64_t, ActBuffer> acts;
    int64_t max_m = 0;
    for (const Shape& sh : shapes) {
      max_m = std::max(max_m, sh.M);
      if (acts.count(sh.K)) continue;
      const auto x = normal_values(static_cast<size_t>(sh.K * N), rng);
      quantize_acts(wtype, x.data(), sh.K, N, sh.K, acts[sh.K],
                    &reference_kernel(Op::kQuantAct, wtype));
    }
    std::vector<float> y(static_cast<size_t>(max_m * N));
    auto one = [&](size_t i, const uint8_t* w, const KernelInfo& k) {
      const Shape& sh = shapes[i];
      MatmulArgs a;
      a.wtype = wtype;
      a.w = w;
      a.w_row_bytes = weight_row_bytes(wtype, sh.K);
      a.w_scale = sh.scale;
      a.M = sh.M;
      a.K = sh.K;
      a.x = acts.at(sh.K).view();
      a.y = y.data();
      a.y_col_stride = sh.M;
      matmul(a, &pool, &k);
    };
    for (Residency r : {Residency::kHot, Residency::kCold}) {
      if (r == Residency::kCold && cls >= kColdClasses) continue;
      // Cold: each unit (one call of every shape) moves on to the next copy of the set.
      size_t next_copy = 0, c = 0;
      Job job;
      job.parts.clear();
      for (const Shape& sh : shapes) job.parts.push_back(MatmulShape{sh.M, sh.K});
      job.run = [&](const KernelInfo& k, size_t i) {
        if (i == 0) c = r == Residency::kCold ? next_copy++ % copies : 0;
        one(i, c == 0 ? shapes[i].w.data() : cold_copies[c - 1][i].data(), k);
      };
      job.screen = [&](const KernelInfo& k) { one(smallest, shapes[smallest].w.data(), k); };
      job.repeat_before_timing = r == Residency::kHot;
      for (TuneEntry& e : measure(Op::kMatmul, wtype, cls, threads, job, s)) {
        e.residency = r;
        out.push_back(std::move(e));
      }
    }
  }
}

void tune_per_column_ops(TypeId wtype, const TuneSettings& s, std::vector<TuneEntry>& out) {
  std::mt19937 rng(99);
  int64_t K = 0;
  for (auto [m, k] : s.shapes) K = std::max(K, k);
  // quant_act: 32 columns of the widest K; dequant: 32 rows of it.
  const int64_t cols = 32;
  const auto x = normal_values(static_cast<size_t>(K * cols), rng);
  ActBuffer buf;
  Job qa;
  qa.screen = [&](const KernelInfo& k) { quantize_acts(wtype, x.data(), K, cols, K, buf, &k); };
  qa.run = [&](const KernelInfo& k, size_t) { qa.screen(k); };
  for (TuneEntry& e : measure(Op::kQuantAct, wtype, 0, 1, qa, s)) out.push_back(std::move(e));

  const auto w = ternary_weights(wtype, cols, K, rng);
  std::vector<float> dst(static_cast<size_t>(K * cols));
  Job dq;
  dq.screen = [&](const KernelInfo& k) {
    dequantize(wtype, w.data(), dst.data(), K * cols, 1.0f, &k);
  };
  dq.run = [&](const KernelInfo& k, size_t) { dq.screen(k); };
  for (TuneEntry& e : measure(Op::kDequant, wtype, 0, 1, dq, s)) out.push_back(std::move(e));
}

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
    out += ok ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '_';
  }
  return out.empty() ? "unknown" : out;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

nlohmann::ordered_json entry_json(const TuneEntry& e) {
  nlohmann::ordered_json je;
  je["op"] = std::string(op_name(e.op));
  je["weights"] = type_name(e.wtype);
  je["n_class"] = e.n_class;
  je["n"] = std::string(n_class_name(e.n_class));
  je["threads"] = e.threads;
  je["residency"] = std::string(residency_name(e.residency));
  if (e.shape.M > 0) {
    je["M"] = e.shape.M;
    je["K"] = e.shape.K;
  }
  je["kernel"] = e.kernel;
  je["static"] = e.static_kernel;
  nlohmann::ordered_json med = nlohmann::ordered_json::object();
  for (const auto& [name, sec] : e.median_seconds) med[name] = sec * 1e3;
  je["median_ms"] = med;
  je["screened_out"] = e.screened_out;
  return je;
}

}  // namespace

bool tuning_enabled() {
  const std::string v = env_or_empty("BITNET_TUNE");
  if (v.empty() || v == "on" || v == "1") return true;
  if (v == "off" || v == "0") return false;
  throw std::runtime_error("BITNET_TUNE='" + v + "': expected on|off (or 1|0)");
}

int n_class(int64_t n_cols) {
  if (n_cols <= 1) return 0;
  if (n_cols < 16) return 1;
  if (n_cols < 64) return 2;
  return 3;
}

std::string_view n_class_name(int cls) {
  static constexpr std::string_view names[] = {"1", "2-15", "16-63", "64+"};
  return cls >= 0 && cls < kNClasses ? names[cls] : "?";
}

int64_t n_class_columns(int cls) {
  static constexpr int64_t cols[] = {1, 8, 32, 128};
  return cols[std::clamp(cls, 0, kNClasses - 1)];
}

uint64_t kernel_set_hash() {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix("procedure " + std::to_string(kProcedureVersion));
  for (const KernelInfo& k : all_kernels()) {
    mix(k.name);
    mix(std::to_string(static_cast<int>(k.op)) + "/" + std::to_string(static_cast<int>(k.wtype)) +
        "/" + std::to_string(static_cast<int>(k.atype)) + "/" + std::string(isa_name(k.isa)) + "/" +
        std::to_string(k.tile_m) + "x" + std::to_string(k.tile_n));
  }
  return h;
}

std::string_view kernel_code_sha256() {
  return kKernelCodeSha256;
}

std::string pick_winner(const std::vector<std::string>& static_order,
                        const std::map<std::string, double>& medians, double tie_fraction) {
  double best = 0;
  bool any = false;
  for (const auto& [name, t] : medians)
    if (!any || t < best) best = t, any = true;
  if (!any) return static_order.empty() ? std::string() : static_order.front();
  for (const std::string& name : static_order) {
    const auto it = medians.find(name);
    if (it != medians.end() && it->second <= best * (1.0 + tie_fraction)) return name;
  }
  return static_order.front();  // unreachable: the best is in static_order
}

int64_t cold_set_default() {
  const int64_t llc = reported_llc_bytes();
  return std::clamp<int64_t>(2 * llc, int64_t{64} << 20, int64_t{512} << 20);
}

TuneSettings TuneSettings::defaults() {
  TuneSettings s;
  s.shapes = {{2560, 2560}, {640, 2560}, {6912, 2560}, {2560, 6912}};
  return s;
}

std::string tuning_path() {
  std::string dir = env_or_empty("BITNET_CACHE");
  if (dir.empty()) {
    if (auto x = env_or_empty("XDG_CACHE_HOME"); !x.empty())
      dir = x + "/bitnet-bench";
    else if (auto home = env_or_empty("HOME"); !home.empty())
      dir = home + "/.cache/bitnet-bench";
  }
  if (dir.empty()) return "";
  return dir + "/tuning/" + slug(cpu_model_name()) + ".json";
}

TuningTable& TuningTable::instance() {
  static TuningTable table(tuning_path(), TuneSettings::defaults());
  return table;
}

TuningTable::TuningTable(std::string path, TuneSettings settings)
    : path_(std::move(path)), settings_(std::move(settings)) {}

const TuneEntry* TuningTable::find_locked(Op op, TypeId wtype, int cls, int threads, Residency r,
                                          MatmulShape shape) const {
  if (op != Op::kMatmul) cls = 0, threads = 1, r = Residency::kHot, shape = {};
  if (cls >= kColdClasses) r = Residency::kHot;  // compute-bound: one entry serves both
  for (const TuneEntry& e : entries_)
    if (e.op == op && e.wtype == wtype && e.n_class == cls && e.threads == threads &&
        e.residency == r && e.shape.M == shape.M && e.shape.K == shape.K)
      return &e;
  return nullptr;
}

const TuneEntry* TuningTable::best_locked(Op op, TypeId wtype, int cls, int threads, Residency r,
                                          MatmulShape shape) const {
  if (shape.M > 0)
    if (const TuneEntry* e = find_locked(op, wtype, cls, threads, r, shape)) return e;
  return find_locked(op, wtype, cls, threads, r);
}

void TuningTable::load_locked() {
  if (loaded_) return;
  loaded_ = true;
  status_ = "none yet";
  if (path_.empty()) return;
  std::ifstream in(path_);
  if (!in) return;  // first use on this machine
  std::string why;
  try {
    const auto j = nlohmann::json::parse(in);
    const std::string hash = hex64(kernel_set_hash());
    if (j.value("format", "") != kFormatTag)
      why = "format " + j.value("format", std::string("(none)"));
    else if (j.value("kernel_set_hash", "") != hash)
      why = "kernel set changed (table " + j.value("kernel_set_hash", std::string("?")) +
            ", this build " + hash + ")";
    else if (j.value("kernel_code_sha256", "") != kernel_code_sha256())
      why = "kernel code changed (table " + j.value("kernel_code_sha256", std::string("?")) +
            ", this build " + std::string(kernel_code_sha256()) + ")";
    else if (j.value("cpu_features", "") != feature_names(cpu_feature_bits()))
      why = "CPU features changed (table " + j.value("cpu_features", std::string("?")) + ")";
    else if (j.value("cpu_model", "") != cpu_model_name())
      why = "CPU model changed (table " + j.value("cpu_model", std::string("?")) + ")";
    std::vector<TuneEntry> got;
    if (why.empty()) {
      for (const auto& je : j.at("entries")) {
        TuneEntry e;
        const auto op = op_from_name(je.at("op").get<std::string>());
        const auto w = format_from_name(je.at("weights").get<std::string>());
        const KernelInfo* k = find_kernel(je.at("kernel").get<std::string>());
        if (!op || !w || k == nullptr || !kernel_available(*k) || !serves(*k, *op, *w)) {
          why = "entry " + je.dump() + " names no runnable kernel for its op and format";
          break;
        }
        e.op = *op;
        e.wtype = *w;
        e.n_class = je.at("n_class").get<int>();
        e.threads = je.at("threads").get<int>();
        const std::string res = je.value("residency", "hot");
        if (res != "hot" && res != "cold") {
          why = "entry " + je.dump() + ": residency '" + res + "' is neither hot nor cold";
          break;
        }
        e.residency = res == "cold" ? Residency::kCold : Residency::kHot;
        e.shape = MatmulShape{je.value("M", int64_t{0}), je.value("K", int64_t{0})};
        if (e.shape.M < 0 || e.shape.K < 0 || (e.shape.M == 0) != (e.shape.K == 0)) {
          why = "entry " + je.dump() + ": M and K must both be positive or both absent";
          break;
        }
        e.kernel = std::string(k->name);
        e.static_kernel = je.value("static", "");
        if (je.contains("median_ms"))
          for (const auto& [name, ms] : je.at("median_ms").items())
            e.median_seconds[name] = ms.get<double>() * 1e-3;
        if (je.contains("screened_out"))
          e.screened_out = je.at("screened_out").get<std::vector<std::string>>();
        got.push_back(std::move(e));
      }
    }
    if (why.empty()) {
      entries_ = std::move(got);
      status_ = "loaded";
      return;
    }
  } catch (const std::exception& e) {
    why = std::string("unreadable: ") + e.what();
  }
  status_ = "rebuilt: " + why;
  if (settings_.verbose)
    std::fprintf(stderr, "bitnet: tuning table %s is stale (%s); rebuilding it\n", path_.c_str(),
                 why.c_str());
}

void TuningTable::save_locked() {
  if (path_.empty()) return;
  nlohmann::ordered_json j;
  j["format"] = kFormatTag;
  j["cpu_model"] = cpu_model_name();
  j["cpu_features"] = feature_names(cpu_feature_bits());
  j["kernel_set_hash"] = hex64(kernel_set_hash());
  j["kernel_code_sha256"] = std::string(kernel_code_sha256());
  j["tie_fraction"] = kTieFraction;
  j["cold_set_bytes"] =
      settings_.cold_set_bytes > 0 ? settings_.cold_set_bytes : cold_set_default();
  j["entries"] = nlohmann::ordered_json::array();
  for (const TuneEntry& e : entries_) j["entries"].push_back(entry_json(e));
  // Temp + rename: a reader never sees half a table; a failed write keeps the old one.
  try {
    const std::filesystem::path p(path_);
    std::filesystem::create_directories(p.parent_path());
    const std::string tmp = path_ + ".tmp" + std::to_string(getpid());
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << j.dump(1) << "\n";
      out.flush();
      if (!out) throw std::runtime_error("write failed");
    }
    std::filesystem::rename(tmp, p);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bitnet: cannot write tuning table %s: %s (kept in memory)\n",
                 path_.c_str(), e.what());
  }
}

void TuningTable::tune_locked(int threads) {
  if (settings_.verbose)
    std::fprintf(stderr, "bitnet: tuning kernels for %d thread%s on %s (once; cached in %s)\n",
                 threads, threads == 1 ? "" : "s", cpu_model_name().c_str(),
                 path_.empty() ? "memory" : path_.c_str());
  std::vector<TuneEntry> fresh;
  for (TypeId w : kFormats) tune_matmul(w, threads, settings_, fresh);
  if (find_locked(Op::kQuantAct, kFormats[0], 0, 1, Residency::kHot) == nullptr || threads == 1)
    for (TypeId w : kFormats) tune_per_column_ops(w, settings_, fresh);
  for (TuneEntry& e : fresh) {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const TuneEntry& o) {
      return o.op == e.op && o.wtype == e.wtype && o.n_class == e.n_class &&
             o.threads == e.threads && o.residency == e.residency && o.shape.M == e.shape.M &&
             o.shape.K == e.shape.K;
    });
    if (it != entries_.end())
      *it = std::move(e);
    else
      entries_.push_back(std::move(e));
  }
  std::sort(entries_.begin(), entries_.end(), [](const TuneEntry& a, const TuneEntry& b) {
    return std::tie(a.threads, a.op, a.wtype, a.n_class, a.residency, a.shape.M, a.shape.K) <
           std::tie(b.threads, b.op, b.wtype, b.n_class, b.residency, b.shape.M, b.shape.K);
  });
  if (status_ == "none yet") status_ = "tuned now";
  if (status_ == "loaded") status_ = "loaded, extended";
  save_locked();
}

void TuningTable::ensure(int threads) {
  threads = std::max(threads, 1);
  std::lock_guard lock(mu_);
  load_locked();
  if (find_locked(Op::kMatmul, kFormats[0], 0, threads, Residency::kCold) == nullptr ||
      find_locked(Op::kQuantAct, kFormats[0], 0, 1, Residency::kHot) == nullptr)
    tune_locked(threads);
}

void TuningTable::tune(int threads) {
  threads = std::max(threads, 1);
  std::lock_guard lock(mu_);
  load_locked();
  tune_locked(threads);
}

const KernelInfo& TuningTable::choose(Op op, TypeId wtype, int64_t n_cols, int threads,
                                      Residency weights, MatmulShape shape) {
  threads = std::max(threads, 1);
  const int cls = n_class(n_cols);
  std::lock_guard lock(mu_);
  load_locked();
  const TuneEntry* e = best_locked(op, wtype, cls, threads, weights, shape);
  if (e == nullptr) {
    tune_locked(threads);
    e = best_locked(op, wtype, cls, threads, weights, shape);
  }
  const KernelInfo* k = e ? find_kernel(e->kernel) : nullptr;
  if (k == nullptr)
    throw std::runtime_error("tuning table " + path_ + ": no entry for " +
                             std::string(op_name(op)) + " " + type_name(wtype));
  return *k;
}

const KernelInfo* TuningTable::lookup(Op op, TypeId wtype, int64_t n_cols, int threads,
                                      Residency weights, MatmulShape shape) {
  std::lock_guard lock(mu_);
  load_locked();
  const TuneEntry* e =
      best_locked(op, wtype, n_class(n_cols), std::max(threads, 1), weights, shape);
  return e ? find_kernel(e->kernel) : nullptr;
}

std::vector<TuneEntry> TuningTable::entries() {
  std::lock_guard lock(mu_);
  load_locked();
  return entries_;
}

std::string TuningTable::entries_json() {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const TuneEntry& e : entries()) j.push_back(entry_json(e));
  return j.dump();
}

std::string TuningTable::status() {
  std::lock_guard lock(mu_);
  load_locked();
  return status_;
}

}  // namespace bitnet
