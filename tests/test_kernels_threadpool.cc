// ThreadPool: every task runs exactly once on a valid thread id, exceptions reach the caller,
// nested calls run inline, and thousands of back-to-back jobs (the decode pattern) complete.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <vector>

#include "bitnet/kernels/threadpool.h"

namespace bitnet {
namespace {

TEST(ThreadPool, RunsEveryTaskOnceOnValidThreads) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {0, 1, 2, 7, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<bool> bad_thread{false};
      pool.parallel_for(n, [&](int64_t t, int th) {
        hits[static_cast<size_t>(t)].fetch_add(1);
        if (th < 0 || th >= threads) bad_thread = true;
      });
      for (int64_t t = 0; t < n; ++t) ASSERT_EQ(hits[static_cast<size_t>(t)].load(), 1);
      EXPECT_FALSE(bad_thread);
    }
  }
}

TEST(ThreadPool, RethrowsTheFirstExceptionInTheCaller) {
  ThreadPool pool(3);
  std::atomic<int> ran{0};
  EXPECT_THROW(pool.parallel_for(100,
                                 [&](int64_t t, int) {
                                   ran.fetch_add(1);
                                   if (t == 10) throw std::runtime_error("task 10 failed");
                                 }),
               std::runtime_error);
  // The pool stays usable afterwards.
  std::atomic<int> after{0};
  pool.parallel_for(50, [&](int64_t, int) { after.fetch_add(1); });
  EXPECT_EQ(after.load(), 50);
}

TEST(ThreadPool, NestedCallsRunInline) {
  ThreadPool pool(2);
  std::atomic<int> inner{0};
  pool.parallel_for(4, [&](int64_t, int) {
    pool.parallel_for(3, [&](int64_t, int th) {
      EXPECT_EQ(th, 0);
      inner.fetch_add(1);
    });
  });
  EXPECT_EQ(inner.load(), 12);
}

TEST(ThreadPool, ManyShortJobsBackToBack) {
  ThreadPool pool(2, 50);
  int64_t total = 0;
  std::atomic<int64_t> sum{0};
  for (int job = 0; job < 20000; ++job) {
    pool.parallel_for(2, [&](int64_t t, int) { sum.fetch_add(t + 1); });
    total += 3;
  }
  EXPECT_EQ(sum.load(), total);
}

// parallel_ranges covers [0, n) exactly once with ranges starting at multiples of the grain, and
// runs one inline range when there is too little work or one thread.
TEST(ThreadPool, ParallelRangesCoverEveryIndexOnce) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (int64_t n : {0, 1, 7, 16, 100, 6912}) {
      for (int64_t grain : {1, 16}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        std::atomic<int> calls{0};
        std::atomic<bool> aligned{true};
        pool.parallel_ranges(n, grain, 0, [&](int64_t b, int64_t e) {
          calls.fetch_add(1);
          if (b % grain != 0 || b >= e) aligned = false;
          for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
        });
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[static_cast<size_t>(i)].load(), 1) << i;
        EXPECT_TRUE(aligned.load()) << "n " << n << " grain " << grain;
        if (threads == 1 && n > 0) {
          EXPECT_EQ(calls.load(), 1);
        }
        if (threads > 1 && n >= 100) {
          EXPECT_GT(calls.load(), 1) << "n " << n;
        }
      }
    }
    int calls = 0;  // below min_n: one inline call, so a plain int is safe
    pool.parallel_ranges(5, 1, 8, [&](int64_t b, int64_t e) {
      ++calls;
      EXPECT_EQ(b, 0);
      EXPECT_EQ(e, 5);
    });
    EXPECT_EQ(calls, 1);
  }
}

TEST(ThreadPool, RejectsZeroThreads) {
  EXPECT_THROW(ThreadPool(0), std::invalid_argument);
}

}  // namespace
}  // namespace bitnet
