#include "thread_pool.h"

#include <cstdlib>
#include <cstring>

#include <algorithm>

namespace pq {

bool worth_splitting(double work, double least) {
  static const bool always = [] {
    const char* v = std::getenv("PQ_KERNELS_SPLIT");
    return v != nullptr && std::strcmp(v, "always") == 0;
  }();
  return always || work >= least;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::grow(int workers) {
  while (static_cast<int>(workers_.size()) < workers) {
    const int id = static_cast<int>(workers_.size());
    workers_.emplace_back([this, id] { work(id); });
  }
}

void ThreadPool::take_tasks() {
  for (;;) {
    int i;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (next_ >= count_ || error_) return;
      i = next_++;
    }
    try {
      (*task_)(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::work(int id) {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || (generation_ != seen && id < participants_); });
      if (stopping_) return;
      seen = generation_;
    }
    take_tasks();
    std::lock_guard<std::mutex> lock(mutex_);
    if (--pending_ == 0) done_.notify_one();
  }
}

void ThreadPool::run(int count, int threads, const std::function<void(int)>& task) {
  if (count <= 0) return;
  const int helpers = std::min(threads, count) - 1;
  if (helpers <= 0) {
    for (int i = 0; i < count; i++) task(i);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    grow(helpers);
    task_ = &task;
    count_ = count;
    next_ = 0;
    participants_ = helpers;
    pending_ = helpers;
    error_ = nullptr;
    ++generation_;
  }
  wake_.notify_all();
  take_tasks();
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
    task_ = nullptr;
    participants_ = 0;
    error = error_;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace pq
