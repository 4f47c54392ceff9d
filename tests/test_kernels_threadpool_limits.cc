// ThreadPool's limits: a thread count past the cap is refused with the numbers in the message,
// and the cap follows the CPU count (never below kMinThreadCap).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "bitnet/kernels/threadpool.h"

namespace bitnet {
namespace {

TEST(ThreadPoolLimits, CapFollowsTheCpuCount) {
  EXPECT_EQ(
      ThreadPool::max_threads(),
      std::max(ThreadPool::kMinThreadCap, ThreadPool::kMaxThreadsPerCpu * ThreadPool::cpu_count()));
  EXPECT_GE(ThreadPool::cpu_count(), 1);
}

TEST(ThreadPoolLimits, PastTheCapIsRefusedWithTheNumbers) {
  const int too_many = ThreadPool::max_threads() + 1;
  try {
    ThreadPool pool(too_many);
    FAIL() << "constructed " << too_many << " threads";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(std::to_string(too_many)), std::string::npos) << m;
    EXPECT_NE(m.find("at most " + std::to_string(ThreadPool::max_threads())), std::string::npos)
        << m;
  }
  ThreadPool ok(2);  // and the ordinary case still works
  int ran = 0;
  ok.parallel_for(1, [&](int64_t, int) { ++ran; });
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace bitnet
