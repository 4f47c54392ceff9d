#include "bitnet/threadpool.h"

#include <chrono>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BITNET_CPU_RELAX() _mm_pause()
#else
#define BITNET_CPU_RELAX() ((void)0)
#endif

namespace bitnet {
namespace {

thread_local bool t_inside_task = false;  // nested parallel_for runs inline

struct InsideTask {
  bool saved = t_inside_task;
  InsideTask() { t_inside_task = true; }
  ~InsideTask() { t_inside_task = saved; }
};

using Clock = std::chrono::steady_clock;

}  // namespace

ThreadPool::ThreadPool(int n_threads, int spin_us)
    : n_threads_(n_threads), spin_us_(spin_us < 0 ? 0 : spin_us) {
  if (n_threads < 1)
    throw std::invalid_argument("ThreadPool: n_threads = " + std::to_string(n_threads) +
                                " (must be >= 1, counting the caller)");
  workers_.reserve(static_cast<size_t>(n_threads - 1));
  for (int t = 1; t < n_threads; ++t) workers_.emplace_back([this, t] { worker_main(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  wake_sleepers();
  for (auto& w : workers_) w.join();
}

// (libstdc++ 12's std::atomic::wait can miss a notify -- GCC PR 104928 -- so a condition
// variable is used for sleeping; the common, busy case never touches it.)
void ThreadPool::wake_sleepers() {
  if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
  { std::lock_guard<std::mutex> lock(sleep_mutex_); }
  wake_.notify_all();
}

void ThreadPool::run_tasks(int thread) {
  InsideTask guard;
  for (;;) {
    if (failed_.load(std::memory_order_relaxed)) return;
    const int64_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
    if (task >= n_tasks_) return;
    try {
      (*fn_)(task, thread);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
      failed_.store(true, std::memory_order_relaxed);
    }
  }
}

void ThreadPool::worker_main(int thread) {
  // Generation 0 is "no job yet": a job published before this thread got here is still seen.
  uint32_t seen = 0;
  for (;;) {
    // Spin for a short while: the next job usually follows within microseconds during decode.
    uint32_t gen = generation_.load(std::memory_order_acquire);
    if (gen == seen && spin_us_ > 0) {
      const auto deadline = Clock::now() + std::chrono::microseconds(spin_us_);
      for (int i = 0; gen == seen; ++i) {
        BITNET_CPU_RELAX();
        if ((i & 255) == 255 && Clock::now() > deadline) break;
        gen = generation_.load(std::memory_order_acquire);
      }
    }
    if (gen == seen) {
      // Sleep. sleepers_ is raised before re-checking generation_, and the caller reads
      // sleepers_ after bumping generation_ (both seq_cst), so one of them sees the other.
      std::unique_lock<std::mutex> lock(sleep_mutex_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      while ((gen = generation_.load(std::memory_order_seq_cst)) == seen) wake_.wait(lock);
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
    }
    seen = gen;
    if (stop_.load(std::memory_order_acquire)) return;
    run_tasks(thread);
    busy_workers_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::parallel_for(int64_t n_tasks,
                              const std::function<void(int64_t task, int thread)>& fn) {
  if (n_tasks <= 0) return;
  if (n_threads_ == 1 || n_tasks == 1 || t_inside_task) {
    InsideTask guard;
    for (int64_t t = 0; t < n_tasks; ++t) fn(t, 0);
    return;
  }
  std::lock_guard<std::mutex> call_lock(call_mutex_);
  fn_ = &fn;
  n_tasks_ = n_tasks;
  next_task_.store(0, std::memory_order_relaxed);
  failed_.store(false, std::memory_order_relaxed);
  error_ = nullptr;
  busy_workers_.store(n_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_seq_cst);  // publishes the job
  wake_sleepers();

  run_tasks(0);

  // Wait for workers still finishing their last task: spin, then yield.
  for (int i = 0; busy_workers_.load(std::memory_order_acquire) != 0; ++i) {
    if (i < 4096) {
      BITNET_CPU_RELAX();
    } else {
      std::this_thread::yield();
    }
  }
  fn_ = nullptr;
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
}

}  // namespace bitnet
