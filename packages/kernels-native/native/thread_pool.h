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

// The least work a kernel splits over threads: about half a millisecond or more of one thread's
// time. A sleeping worker takes tens of microseconds to wake (more on a busy or virtual machine),
// and a task repacks what it shares, so smaller calls ran slower on 2 threads than on 1 (LeNet's
// step: 6.7 ms on 1, 7.9 on 2 with the former 64K-element and 0.5M-multiply-add thresholds).
// PQ_KERNELS_SPLIT=always in the environment splits every call whatever its size (the tests of
// the splits' bits use it on small shapes).
constexpr double MIN_SPLIT_MACS = 3e7;            // multiply-adds of a matrix product or convolution
constexpr double MIN_SPLIT_DEPTHWISE_MACS = 4e6;  // a depthwise gradient's (memory-bound) multiply-adds
constexpr double MIN_SPLIT_ELEMENTS = 1 << 20;    // elements an elementwise kernel writes

/** Whether `work` (in the units of `least`) is worth splitting over threads. */
bool worth_splitting(double work, double least);

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
