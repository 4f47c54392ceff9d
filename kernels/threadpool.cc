#include "bitnet/kernels/threadpool.h"

#include <algorithm>

#include <chrono>
#include <stdexcept>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define BITNET_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define BITNET_CPU_RELAX() __asm__ volatile("yield")
#else
#define BITNET_CPU_RELAX() ((void)0)
#endif

// How a job runs: tasks are claimed with a CAS on claim_ = (generation << 32 | next index), and
// the caller waits until done_ == n_tasks -- NOT for every worker. A worker that is descheduled
// (the machine is shared) simply finds the job finished when it wakes: its CAS against the old
// generation fails. The caller resets claim_ to the new generation before rewriting fn_/n_tasks_
// (all seq_cst), so a late worker can never pair an old generation with new job fields.

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
  if (n_threads > max_threads())
    throw std::invalid_argument("ThreadPool: " + std::to_string(n_threads) +
                                " threads requested; at most " + std::to_string(max_threads()) +
                                " are allowed (" + std::to_string(kMaxThreadsPerCpu) +
                                " per CPU, this machine has " + std::to_string(cpu_count()) +
                                ", and never fewer than " + std::to_string(kMinThreadCap) + ")");
  workers_.reserve(static_cast<size_t>(n_threads - 1));
  for (int t = 1; t < n_threads; ++t) {
    try {
      workers_.emplace_back([this, t] { worker_main(t); });
    } catch (const std::exception& e) {
      // Out of threads (RLIMIT_NPROC, a pids cgroup, address space for stacks). The started
      // workers wait on wake_: stop and join them before the members they use are destroyed.
      stop_workers();
      throw std::runtime_error(
          "ThreadPool: could start only " + std::to_string(t) + " of " + std::to_string(n_threads) +
          " threads (counting the caller): " + e.what() + "; use fewer threads");
    }
  }
}

int ThreadPool::cpu_count() {
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int ThreadPool::max_threads() {
  return std::max(kMinThreadCap, kMaxThreadsPerCpu * cpu_count());
}

void ThreadPool::stop_workers() {
  stop_.store(true);
  generation_.fetch_add(1);
  wake_sleepers();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

ThreadPool::~ThreadPool() {
  stop_workers();
}

// (libstdc++ 12's std::atomic::wait can miss a notify -- GCC PR 104928 -- so a condition
// variable is used for sleeping; the common, busy case never touches it.)
void ThreadPool::wake_sleepers() {
  if (sleepers_.load() == 0) return;
  { std::lock_guard<std::mutex> lock(sleep_mutex_); }
  wake_.notify_all();
}

void ThreadPool::run_tasks(int thread, uint32_t gen) {
  InsideTask guard;
  const auto* fn = fn_.load();
  const int64_t n = n_tasks_.load();
  uint64_t v = claim_.load();
  for (;;) {
    if ((v >> 32) != gen) return;  // that job is over (or a newer one started)
    const auto task = static_cast<int64_t>(v & 0xffffffffu);
    if (task >= n) return;
    if (!claim_.compare_exchange_weak(v, v + 1)) continue;  // v reloaded
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        (*fn)(task, thread);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true, std::memory_order_relaxed);
      }
    }
    done_.fetch_add(1);
    v = claim_.load();
  }
}

void ThreadPool::worker_main(int thread) {
  // Generation 0 is "no job yet": a job published before this thread got here is still seen.
  uint32_t seen = 0;
  for (;;) {
    // Spin for a short while: the next job usually follows within microseconds during decode.
    uint32_t gen = generation_.load();
    if (gen == seen && spin_us_ > 0) {
      const auto deadline = Clock::now() + std::chrono::microseconds(spin_us_);
      for (int i = 0; gen == seen; ++i) {
        BITNET_CPU_RELAX();
        if ((i & 255) == 255 && Clock::now() > deadline) break;
        gen = generation_.load(std::memory_order_relaxed);
      }
      gen = generation_.load();
    }
    if (gen == seen) {
      // Sleep. sleepers_ is raised before re-checking generation_, and the caller reads
      // sleepers_ after bumping generation_ (both seq_cst), so one of them sees the other.
      std::unique_lock<std::mutex> lock(sleep_mutex_);
      sleepers_.fetch_add(1);
      while ((gen = generation_.load()) == seen) wake_.wait(lock);
      sleepers_.fetch_sub(1);
    }
    seen = gen;
    if (stop_.load()) return;
    run_tasks(thread, gen);
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
  if (n_tasks > 0xffffffffll)
    throw std::invalid_argument("ThreadPool::parallel_for: more than 2^32-1 tasks");
  std::lock_guard<std::mutex> call_lock(call_mutex_);
  const uint32_t gen = generation_.load() + 1;
  claim_.store(static_cast<uint64_t>(gen) << 32);  // first: retires the previous job's claims
  done_.store(0);
  failed_.store(false);
  error_ = nullptr;
  fn_.store(&fn);
  n_tasks_.store(n_tasks);
  generation_.store(gen);  // publishes the job
  wake_sleepers();

  run_tasks(0, gen);

  // Wait only for tasks that workers claimed and are still running: spin, then yield.
  for (int i = 0; done_.load() != n_tasks; ++i) {
    if (i < 4096) {
      BITNET_CPU_RELAX();
    } else {
      std::this_thread::yield();
    }
  }
  if (error_) {
    std::exception_ptr e = error_;
    error_ = nullptr;
    std::rethrow_exception(e);
  }
}

void ThreadPool::parallel_ranges(int64_t n, int64_t grain, int64_t min_n,
                                 const std::function<void(int64_t begin, int64_t end)>& fn) {
  if (n <= 0) return;
  if (n_threads_ == 1 || n < min_n) return fn(0, n);
  const int64_t wanted = 4 * static_cast<int64_t>(n_threads_);
  const int64_t g = grain < 1 ? 1 : grain;
  int64_t chunk = (n + wanted - 1) / wanted;
  chunk = (chunk + g - 1) / g * g;
  const int64_t n_tasks = (n + chunk - 1) / chunk;
  if (n_tasks == 1) return fn(0, n);
  parallel_for(n_tasks, [&](int64_t t, int) { fn(t * chunk, std::min(n, (t + 1) * chunk)); });
}

}  // namespace bitnet
