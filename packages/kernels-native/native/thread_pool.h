// A persistent pool of std::threads: workers start on the first call that needs them and sleep
// on a condition variable between calls. A call's tasks are taken in any order by any thread, so
// the kernels give each task a disjoint part of the output and never split a reduction: what a
// task computes, and so every result bit, does not depend on the thread count or the schedule.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace pq {

class ThreadPool {
 public:
  ThreadPool() = default;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  /** Stops and joins the workers (the addon's instance finalizer runs this at environment teardown). */
  ~ThreadPool();

  /** Runs task(i) for every i in [0, count) on up to `threads` threads, the caller's included; rethrows a task's exception. */
  void run(int count, int threads, const std::function<void(int)>& task);

 private:
  void grow(int workers);
  void work(int id);
  void take_tasks();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  int count_ = 0;
  int next_ = 0;         // next task index (guarded by mutex_: tasks are coarse, so the lock is cheap)
  int participants_ = 0; // workers with id < participants_ join the current call
  int pending_ = 0;      // participating workers not yet finished with the current call
  std::uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace pq
