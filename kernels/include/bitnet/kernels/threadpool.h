// A small fork-join pool for the matmul driver and the decode engine. The calling thread is
// worker 0 and runs tasks too. Workers spin briefly on an atomic between jobs (decode issues
// hundreds of short jobs per token), then sleep on a condition variable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bitnet {

class ThreadPool {
 public:
  // n_threads counts the caller (1 = everything runs inline). spin_us: how long an idle worker
  // polls for the next job before sleeping. Throws std::invalid_argument for n_threads < 1 or
  // above max_threads(); std::runtime_error (after joining the threads it did start) when the OS
  // refuses a thread, saying how many could be made.
  explicit ThreadPool(int n_threads, int spin_us = 200);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // More threads than this is a typo, not a configuration: kMaxThreadsPerCpu per CPU the OS
  // reports, but never fewer than kMinThreadCap (so scaling studies on small VMs still work).
  static constexpr int kMaxThreadsPerCpu = 8;
  static constexpr int kMinThreadCap = 64;
  static int max_threads();
  static int cpu_count();

  // Runs fn(task, thread) for task in [0, n_tasks), tasks handed out dynamically; thread is in
  // [0, size()). Returns when all tasks are done; it never waits for a worker that has not
  // started (on a busy machine the caller may run every task itself). If tasks throw, the remaining
  // tasks are skipped and the first exception is rethrown here. Calls from several threads are
  // serialized; a call from inside a task runs inline on that thread.
  void parallel_for(int64_t n_tasks, const std::function<void(int64_t task, int thread)>& fn);

  // Splits [0, n) into about 4 ranges per thread (dynamic handout evens out a thread the OS
  // delays), each a multiple of `grain` long except the last, and runs fn(begin, end) for each.
  // With one thread, or n < min_n (too little work for a round trip), runs fn(0, n) inline. For
  // work whose per-index results do not depend on the split.
  void parallel_ranges(int64_t n, int64_t grain, int64_t min_n,
                       const std::function<void(int64_t begin, int64_t end)>& fn);

 private:
  void worker_main(int thread);
  void run_tasks(int thread, uint32_t gen);
  void wake_sleepers();
  void stop_workers();

  const int n_threads_;
  const int spin_us_;
  std::vector<std::thread> workers_;
  std::mutex call_mutex_;  // one job at a time

  // The current job (see threadpool.cc for the protocol). All seq_cst unless noted.
  std::atomic<const std::function<void(int64_t, int)>*> fn_{nullptr};
  std::atomic<int64_t> n_tasks_{0};
  std::atomic<uint64_t> claim_{0};  // generation << 32 | next task index
  std::atomic<int64_t> done_{0};    // tasks finished (or skipped after a failure)
  std::atomic<bool> failed_{false};
  std::mutex error_mutex_;
  std::exception_ptr error_;

  std::atomic<uint32_t> generation_{0};  // bumped per job; workers poll it
  std::atomic<int> sleepers_{0};         // workers blocked on wake_
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stop_{false};
};

}  // namespace bitnet
