// The suite's helpers: probe measurements and keys, cold-weight rotation, seeded inputs, labels.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "bitnet/bench/checks.h"
#include "bitnet/bench/inputs.h"
#include "bitnet/bench/labels.h"
#include "bitnet/bench/probe.h"
#include "bitnet/bench/residency.h"
#include "bitnet/kernels/cpu.h"
#include "bitnet/kernels/registry.h"

namespace bitnet::bench {
namespace {

TEST(BenchProbe, KeysAndCacheSizes) {
  EXPECT_EQ(limit_key(Limit::kDramRead, 2, Isa::kScalar), "dram_read/threads:2");
  EXPECT_EQ(limit_key(Limit::kInt8Peak, 1, Isa::kAvx2), "int8_peak/avx2/threads:1");
  EXPECT_GE(cache_sizes().l2, 64u * 1024);
  EXPECT_GT(cache_sizes().l3, cache_sizes().l2);
}

TEST(BenchProbe, MeasuresAPositiveL2Bandwidth) {
  const double bw = measure_limit(Limit::kL2Read, 1, Isa::kAvx2, 0.05);
  EXPECT_TRUE(std::isfinite(bw));
  EXPECT_GT(bw, 1e8);  // any CPU of this century reads its L2 faster than 100 MB/s
}

TEST(BenchProbe, Int8PeakNeedsTheIsa) {
  if (cpu_has(Isa::kAvx2)) {
    EXPECT_GT(measure_limit(Limit::kInt8Peak, 1, Isa::kAvx2, 0.05), 1e8);
  }
  if (cpu_has(Isa::kAvx512Vnni)) GTEST_SKIP() << "this CPU has avx512vnni";
  try {
    measure_limit(Limit::kInt8Peak, 1, Isa::kAvx512Vnni, 0.05);
    FAIL() << "no error for a missing ISA";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "CPU lacks avx512vnni");
  }
}

// A hypervisor reporting a 480 MiB L3 for a 32 MiB one: the sweep's knees cap both levels.
TEST(BenchProbe, CacheLevelsComeFromTheSweepKnees) {
  std::vector<std::pair<size_t, double>> sweep;
  for (size_t b = size_t{64} << 10; b <= size_t{960} << 20; b *= 2)
    sweep.push_back({b, b <= (size_t{1} << 20) ? 100e9 : b <= (size_t{32} << 20) ? 45e9 : 15e9});
  const CacheSizes got = sizes_from_sweep({size_t{2} << 20, size_t{480} << 20}, sweep);
  EXPECT_EQ(got.l3, size_t{32} << 20);
  EXPECT_EQ(got.l2, size_t{1} << 20);
  // Never above what was reported.
  const CacheSizes small = sizes_from_sweep({size_t{512} << 10, size_t{16} << 20}, sweep);
  EXPECT_EQ(small.l3, size_t{16} << 20);
  EXPECT_EQ(small.l2, size_t{512} << 10);
  // A flat (noisy, knee-less) sweep keeps the reported sizes' order sane.
  std::vector<std::pair<size_t, double>> flat;
  for (size_t b = size_t{64} << 10; b <= size_t{64} << 20; b *= 2) flat.push_back({b, 20e9});
  const CacheSizes f = sizes_from_sweep({size_t{1} << 20, size_t{32} << 20}, flat);
  EXPECT_LT(f.l2, f.l3);
}

TEST(BenchSupport, ColdSetIsCappedByRam) {
  EXPECT_LE(cold_set_bytes(), std::max<size_t>(physical_memory_bytes() / 4, 1));
  EXPECT_GE(cold_set_bytes(), measured_cache_sizes().l3);
}

TEST(BenchResidency, MakeResidentLeavesTheWholeFileInMemory) {
  const std::string path = ::testing::TempDir() + "residency-" + std::to_string(getpid()) + ".bin";
  {
    std::ofstream out(path, std::ios::binary);
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 8; ++i) out << block;
  }
  // Drop what we can of it from the page cache (advice: may keep some), then bring it back.
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  const double before = resident_fraction(path);
  EXPECT_GE(before, 0.0);
  EXPECT_LE(before, 1.0);
  make_resident(path);
  EXPECT_DOUBLE_EQ(resident_fraction(path), 1.0);
  EXPECT_GE(major_faults(), 0);
  std::remove(path.c_str());
  EXPECT_EQ(resident_fraction(path), -1);  // gone: unknown, not "resident"
  EXPECT_THROW(make_resident(path), std::runtime_error);
}

TEST(BenchSupport, ColdSetFillsTheColdSetSizeWithIdenticalCopies) {
  const WeightMatrix& w = weights_for(TypeId::kTQ2_0, 640, 2560, true);
  EXPECT_GE(w.copies.size() * w.tensor_bytes, cold_set_bytes());
  ASSERT_GE(w.copies.size(), 2u);
  EXPECT_EQ(std::memcmp(w.copies.front(), w.copies.back(), w.tensor_bytes), 0);
  const WeightMatrix& hot = weights_for(TypeId::kTQ2_0, 640, 2560, false);
  EXPECT_EQ(hot.copies.size(), 1u);
  EXPECT_EQ(std::memcmp(hot.copies[0], w.copies[0], w.tensor_bytes), 0);
}

TEST(BenchSupport, I2sWeightsCarryTheirScale) {
  const WeightMatrix& w = weights_for(TypeId::kI2_S, 128, 256, false);
  EXPECT_EQ(w.tensor_bytes, 128u * 256 / 4 + 32);
  EXPECT_GT(w.w_scale, 0.0f);
}

TEST(BenchSupport, RngStreamsAreFixedBySeedAndName) {
  Rng a(7, "acts/tq2_0"), b(7, "acts/tq2_0"), c(7, "acts/i2_s"), d(8, "acts/tq2_0");
  const uint64_t va = a.next();
  EXPECT_EQ(va, b.next());
  EXPECT_NE(va, c.next());
  EXPECT_NE(va, d.next());
  for (int i = 0; i < 1000; ++i) {
    float u = a.uniform();
    EXPECT_GE(u, -1.0f);
    EXPECT_LT(u, 1.0f);
  }
}

TEST(BenchSupport, LabelsOfTypesAndKernels) {
  EXPECT_EQ(type_label(TypeId::kTQ2_0), "tq2_0");
  EXPECT_EQ(type_label(TypeId::kI2_S), "i2_s");
  EXPECT_EQ(type_label(TypeId::kQ8_K), "q8_k");
  EXPECT_EQ(type_label(TypeId::kI8), "i8_s");
  const KernelInfo& ref = reference_kernel(Op::kMatmul, TypeId::kTQ2_0);
  EXPECT_EQ(impl_label(ref), "matmul_tq2_0_q8k_1x1__scalar");
  std::set<std::string> seen;
  for (const KernelInfo& k : all_kernels()) {
    EXPECT_EQ(impl_label(k), k.name);  // the registry name is the one key of a row
    EXPECT_TRUE(seen.insert(impl_label(k)).second) << "two kernels share rows: " << k.name;
  }
}

// A new kernel next to an existing one (same op, format and ISA; another tile) gets rows of its
// own and leaves every registered kernel's rows as they were.
TEST(BenchSupport, AddingAKernelNeverRenamesAnotherKernelsRows) {
  std::vector<std::string> before;
  for (const KernelInfo& k : all_kernels()) before.push_back(impl_label(k));
  for (const KernelInfo& k : all_kernels()) {
    const std::string name = std::string(k.name.substr(0, k.name.find("__"))) + "_8x8" +
                             std::string(k.name.substr(k.name.find("__")));
    KernelInfo sibling = k;
    sibling.name = name;
    sibling.tile_m = sibling.tile_n = 8;
    EXPECT_EQ(std::count(before.begin(), before.end(), impl_label(sibling)), 0) << name;
  }
  size_t i = 0;
  for (const KernelInfo& k : all_kernels()) EXPECT_EQ(impl_label(k), before[i++]) << k.name;
}

TEST(BenchSupport, CompareExactNamesTheFirstDifference) {
  std::vector<float> a = {1, 2, 3}, b = {1, 2, 3.5f};
  EXPECT_EQ(compare_exact(a, a, "k"), "");
  EXPECT_NE(compare_exact(a, b, "k").find("[2]"), std::string::npos);
  std::vector<float> z = {0.0f}, nz = {-0.0f};
  EXPECT_NE(compare_exact(z, nz, "k"), "");  // bit for bit
}

}  // namespace
}  // namespace bitnet::bench
