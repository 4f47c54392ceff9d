// The measured dispatch table: the decision rule, the column classes, and the cache file's life
// cycle (made on first use, loaded after, rebuilt when stale). Timings are never asserted: only
// that every decision names a runnable kernel of the right op and format.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "bitnet/kernels/cache_info.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"
#include "bitnet/kernels/tuning.h"

namespace bitnet {
namespace {

namespace fs = std::filesystem;

// Tiny shapes keep a full tuning run well under a second.
TuneSettings tiny() {
  TuneSettings s;
  s.shapes = {{64, 512}, {32, 768}};
  s.min_rounds = 3;
  s.max_rounds = 3;
  s.seconds_per_entry = 0;
  s.cold_set_bytes = 1 << 20;  // cold entries rotate through 1 MiB: enough to test the mechanics
  s.verbose = false;
  return s;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("bitnet-tuning-test-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// A table file tuned at one thread with tiny() settings, in dir.
fs::path tuned_table(const TempDir& dir) {
  const fs::path file = dir.path / "cpu.json";
  TuningTable t(file.string(), tiny());
  t.ensure(1);
  return file;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

void write_json(const fs::path& p, const nlohmann::json& j) {
  std::ofstream out(p, std::ios::trunc);
  out << j.dump(1);
}

bool serves(const KernelInfo& k, Op op, TypeId w) {
  return k.op == op && (op == Op::kQuantAct ? k.atype == act_type_for(w) : k.wtype == w);
}

TEST(Tuning, PickWinnerTakesTheFastest) {
  EXPECT_EQ(pick_winner({"a", "b", "c"}, {{"a", 2.0}, {"b", 1.0}, {"c", 1.5}}, 0.03), "b");
}

TEST(Tuning, PickWinnerPrefersTheStaticOrderOnATie) {
  // b is 2 % faster than a: within the tie band, so the earlier one in static order wins.
  EXPECT_EQ(pick_winner({"a", "b"}, {{"a", 1.02}, {"b", 1.0}}, 0.03), "a");
  // Outside the band the faster one wins even though it comes later.
  EXPECT_EQ(pick_winner({"a", "b"}, {{"a", 1.05}, {"b", 1.0}}, 0.03), "b");
}

TEST(Tuning, PickWinnerIgnoresScreenedOutCandidates) {
  // "a" has no median (screened out): it cannot win even though it is first in static order.
  EXPECT_EQ(pick_winner({"a", "b", "c"}, {{"b", 1.2}, {"c", 1.0}}, 0.03), "c");
  EXPECT_EQ(pick_winner({"a"}, {}, 0.03), "a");
}

TEST(Tuning, ColumnClasses) {
  EXPECT_EQ(n_class(1), 0);
  EXPECT_EQ(n_class(2), 1);
  EXPECT_EQ(n_class(15), 1);
  EXPECT_EQ(n_class(16), 2);
  EXPECT_EQ(n_class(63), 2);
  EXPECT_EQ(n_class(64), 3);
  EXPECT_EQ(n_class(4096), 3);
  for (int c = 0; c < kNClasses; ++c) EXPECT_EQ(n_class(n_class_columns(c)), c);
  EXPECT_EQ(n_class_name(3), "64+");
}

TEST(Tuning, WeightsStreamWhenTheyExceedTheLastLevelCache) {
  EXPECT_FALSE(weights_stream_from_dram(4096));
  EXPECT_TRUE(weights_stream_from_dram(uint64_t{1} << 40));
  const int64_t llc = reported_llc_bytes();
  if (llc > 0) {
    EXPECT_FALSE(weights_stream_from_dram(static_cast<uint64_t>(llc)));
    EXPECT_TRUE(weights_stream_from_dram(static_cast<uint64_t>(llc) + 1));
  }
  EXPECT_GE(cold_set_default(), int64_t{64} << 20);
  EXPECT_LE(cold_set_default(), int64_t{512} << 20);
}

TEST(Tuning, BitnetTuneValues) {
  const char* old = std::getenv("BITNET_TUNE");
  const std::string saved = old ? old : "";
  ::setenv("BITNET_TUNE", "off", 1);
  EXPECT_FALSE(tuning_enabled());
  ::setenv("BITNET_TUNE", "on", 1);
  EXPECT_TRUE(tuning_enabled());
  ::setenv("BITNET_TUNE", "maybe", 1);
  try {
    tuning_enabled();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("maybe"), std::string::npos) << e.what();
  }
  if (old)
    ::setenv("BITNET_TUNE", saved.c_str(), 1);
  else
    ::unsetenv("BITNET_TUNE");
}

TEST(Tuning, MadeOnFirstUseThenLoaded) {
  TempDir dir;
  const fs::path file = dir.path / "tuning" / "cpu.json";
  {
    TuningTable t(file.string(), tiny());
    const KernelInfo& k = t.choose(Op::kMatmul, TypeId::kTQ2_0, 32, 1);
    EXPECT_TRUE(kernel_available(k)) << k.name;
    EXPECT_TRUE(serves(k, Op::kMatmul, TypeId::kTQ2_0)) << k.name;
    EXPECT_EQ(t.status(), "tuned now");
  }
  ASSERT_TRUE(fs::exists(file));
  const auto j = read_json(file);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(kernel_set_hash()));
  EXPECT_EQ(j.at("kernel_set_hash"), hash);
  EXPECT_EQ(j.at("cpu_model"), cpu_model_name());
  // 3 formats x (4 hot classes + the cold ones) of matmul, each over all shapes and per shape
  // (2 here), plus quant_act and dequant per format.
  EXPECT_EQ(j.at("entries").size(), 3u * (kNClasses + kColdClasses) * 3u + 6u);
  size_t cold = 0, per_shape = 0;
  for (const auto& e : j.at("entries")) {
    cold += e.at("residency") == "cold";
    if (e.at("residency") == "cold") {
      EXPECT_LT(e.at("n_class").get<int>(), kColdClasses) << e;
    }
    if (e.contains("M")) {
      ++per_shape;
      EXPECT_EQ(e.at("op"), "matmul") << e;
      const std::pair<int64_t, int64_t> mk{e.at("M").get<int64_t>(), e.at("K").get<int64_t>()};
      EXPECT_TRUE(mk == std::make_pair(int64_t{64}, int64_t{512}) ||
                  mk == std::make_pair(int64_t{32}, int64_t{768}))
          << e;
    }
  }
  EXPECT_EQ(cold, 3u * kColdClasses * 3u);
  EXPECT_EQ(per_shape, 3u * (kNClasses + kColdClasses) * 2u);

  TuningTable again(file.string(), tiny());
  for (TypeId w : {TypeId::kTQ2_0, TypeId::kTQ1_0, TypeId::kI2_S})
    for (Op op : {Op::kMatmul, Op::kDequant, Op::kQuantAct})
      for (int64_t n : {1, 8, 32, 128}) {
        const KernelInfo* k = again.lookup(op, w, n, 1);
        ASSERT_NE(k, nullptr);
        EXPECT_TRUE(kernel_available(*k) && serves(*k, op, w)) << k->name;
        EXPECT_EQ(&again.choose(op, w, n, 1), k);
        // Cold queries have their own entries for the small classes; the others share the hot one.
        const KernelInfo* c = again.lookup(op, w, n, 1, Residency::kCold);
        ASSERT_NE(c, nullptr);
        EXPECT_TRUE(kernel_available(*c) && serves(*c, op, w)) << c->name;
        if (op != Op::kMatmul || n_class(n) >= kColdClasses) {
          EXPECT_EQ(c, k) << n;
        }
      }
  EXPECT_EQ(again.status(), "loaded");
  // Another thread count is measured and added, the first one kept.
  EXPECT_EQ(again.lookup(Op::kMatmul, TypeId::kI2_S, 1, 2), nullptr);
  again.ensure(2);
  EXPECT_NE(again.lookup(Op::kMatmul, TypeId::kI2_S, 1, 2), nullptr);
  EXPECT_NE(again.lookup(Op::kMatmul, TypeId::kI2_S, 1, 1), nullptr);
  EXPECT_EQ(again.status(), "loaded, extended");
  EXPECT_EQ(read_json(file).at("entries").size(), 2u * 3u * (kNClasses + kColdClasses) * 3u + 6u);
}

// A caller that knows its shape gets that shape's decision; other shapes get the decision over
// all tuned shapes.
TEST(Tuning, AShapesOwnEntryWinsOverTheAllShapesOne) {
  TempDir dir;
  const fs::path file = tuned_table(dir);
  const KernelInfo& ref = reference_kernel(Op::kMatmul, TypeId::kTQ2_0);
  const KernelInfo* other = nullptr;
  for (const KernelInfo& k : all_kernels())
    if (&k != &ref && serves(k, Op::kMatmul, TypeId::kTQ2_0) && kernel_available(k)) other = &k;
  if (other == nullptr) GTEST_SKIP() << "this CPU runs only the reference TQ2_0 matmul";
  auto j = read_json(file);
  size_t edited = 0;
  for (auto& e : j.at("entries")) {
    if (e.at("op") != "matmul" || e.at("weights") != "TQ2_0" || e.at("n_class") != 0 ||
        e.at("residency") != "hot")
      continue;
    const bool mine = e.contains("M") && e.at("M") == 64 && e.at("K") == 512;
    e["kernel"] = std::string(mine ? other->name : ref.name);
    ++edited;
  }
  ASSERT_EQ(edited, 3u);  // all shapes, 64x512, 32x768
  write_json(file, j);

  TuningTable t(file.string(), tiny());
  EXPECT_EQ(t.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1, Residency::kHot, {64, 512}), other);
  EXPECT_EQ(&t.choose(Op::kMatmul, TypeId::kTQ2_0, 1, 1, Residency::kHot, {64, 512}), other);
  EXPECT_EQ(t.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1, Residency::kHot, {32, 768}), &ref);
  EXPECT_EQ(t.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1, Residency::kHot, {4096, 4096}), &ref);
  EXPECT_EQ(t.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1), &ref);
  EXPECT_EQ(t.status(), "loaded");
}

TEST(Tuning, AnEntryWithHalfAShapeIsRebuilt) {
  TempDir dir;
  const fs::path file = tuned_table(dir);
  auto j = read_json(file);
  for (auto& e : j.at("entries"))
    if (e.contains("M")) {
      e.erase("K");
      break;
    }
  write_json(file, j);
  TuningTable t(file.string(), tiny());
  EXPECT_NE(t.status().find("M and K must both be positive or both absent"), std::string::npos)
      << t.status();
}

TEST(Tuning, StaleKernelSetIsRebuilt) {
  TempDir dir;
  const fs::path file = tuned_table(dir);
  auto j = read_json(file);
  j["kernel_set_hash"] = "0123456789abcdef";  // a table made for another kernel list
  j["entries"][0]["kernel"] = "matmul_tq2_0_q8k_9x9__avx9000";
  write_json(file, j);

  TuningTable t(file.string(), tiny());
  EXPECT_EQ(t.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1), nullptr);  // stale entries dropped
  EXPECT_NE(t.status().find("rebuilt: kernel set changed"), std::string::npos) << t.status();
  const KernelInfo& k = t.choose(Op::kMatmul, TypeId::kTQ2_0, 1, 1);
  EXPECT_TRUE(kernel_available(k));
  const auto rebuilt = read_json(file);
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(kernel_set_hash()));
  EXPECT_EQ(rebuilt.at("kernel_set_hash"), hash);
  for (const auto& e : rebuilt.at("entries")) {
    const KernelInfo* named = find_kernel(e.at("kernel").get<std::string>());
    ASSERT_NE(named, nullptr) << e.dump();
  }
}

TEST(Tuning, TableMadeByOtherKernelCodeIsRebuilt) {
  TempDir dir;
  const fs::path file = tuned_table(dir);
  auto j = read_json(file);
  ASSERT_EQ(j.at("kernel_code_sha256"), std::string(kernel_code_sha256()));
  // Same kernel list, same entries: only the code differs (a kernel edited in a tuning loop).
  const std::string other(64, 'a');
  ASSERT_NE(other, kernel_code_sha256());
  j["kernel_code_sha256"] = other;
  write_json(file, j);
  TuningTable t(file.string(), tiny());
  EXPECT_EQ(t.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1), nullptr);
  EXPECT_NE(t.status().find("rebuilt: kernel code changed (table " + other), std::string::npos)
      << t.status();
  t.choose(Op::kMatmul, TypeId::kTQ2_0, 1, 1);
  EXPECT_EQ(read_json(file).at("kernel_code_sha256"), std::string(kernel_code_sha256()));
  // Without the field (a table from a build before the code was hashed): stale as well.
  j.erase("kernel_code_sha256");
  write_json(file, j);
  TuningTable t2(file.string(), tiny());
  EXPECT_EQ(t2.lookup(Op::kMatmul, TypeId::kTQ2_0, 1, 1), nullptr);
  EXPECT_NE(t2.status().find("rebuilt: kernel code changed"), std::string::npos) << t2.status();
}

TEST(Tuning, KernelCodeHashIsASha256) {
  const std::string_view h = kernel_code_sha256();
  ASSERT_EQ(h.size(), 64u);
  EXPECT_EQ(h.find_first_not_of("0123456789abcdef"), std::string_view::npos) << h;
}

TEST(Tuning, UnknownKernelOrCorruptFileIsRebuilt) {
  TempDir dir;
  const fs::path file = tuned_table(dir);
  auto j = read_json(file);
  const auto good = j;
  j["entries"][0]["kernel"] = "no_such_kernel";  // same hash, but a name this build lacks
  write_json(file, j);
  {
    TuningTable t(file.string(), tiny());
    EXPECT_NE(t.status().find("rebuilt: entry"), std::string::npos) << t.status();
  }
  {
    auto k = good;
    k["entries"][0]["residency"] = "lukewarm";
    write_json(file, k);
    TuningTable t(file.string(), tiny());
    EXPECT_NE(t.status().find("residency 'lukewarm'"), std::string::npos) << t.status();
  }
  {
    std::ofstream out(file, std::ios::trunc);
    out << "{\"format\": \"bitnet-tuning/1\", \"entries\": [";  // cut short
  }
  TuningTable t(file.string(), tiny());
  EXPECT_NE(t.status().find("rebuilt: unreadable"), std::string::npos) << t.status();
  t.ensure(1);
  EXPECT_NO_THROW(read_json(file));
}

TEST(Tuning, DecisionsAreCandidatesAndRecordTheStaticChoice) {
  TuningTable t("", tiny());  // in memory only
  t.ensure(1);
  for (const TuneEntry& e : t.entries()) {
    const KernelInfo* k = find_kernel(e.kernel);
    ASSERT_NE(k, nullptr) << e.kernel;
    EXPECT_TRUE(kernel_available(*k) && serves(*k, e.op, e.wtype)) << e.kernel;
    const KernelInfo& st =
        select_kernel_pinned(e.op, e.wtype, n_class_columns(e.n_class), std::nullopt);
    EXPECT_EQ(e.static_kernel, st.name);
    // Every runnable candidate was either timed or screened out.
    for (const KernelInfo& o : all_kernels()) {
      if (!serves(o, e.op, e.wtype) || !kernel_available(o)) continue;
      const bool timed = e.median_seconds.count(std::string(o.name)) > 0;
      const bool dropped =
          std::find(e.screened_out.begin(), e.screened_out.end(), o.name) != e.screened_out.end();
      const bool only = e.median_seconds.empty() && e.screened_out.empty();
      EXPECT_TRUE(timed || dropped || only) << o.name << " in " << e.kernel;
    }
  }
}

}  // namespace
}  // namespace bitnet
