// Per-thread scratch for packed panels: 64-byte aligned, grown on demand, kept for the thread's
// life (pool threads live as long as the addon), so a steady stream of calls allocates nothing.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>

namespace pq {

class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }

  /** At least `floats` floats; the contents are not kept across calls. */
  float* get(std::size_t floats) {
    if (floats > size_) {
      std::free(data_);
      const std::size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float*>(std::aligned_alloc(64, bytes));
      if (!data_) {
        size_ = 0;
        throw std::bad_alloc();
      }
      size_ = floats;
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace pq
