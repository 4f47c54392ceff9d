// A std::vector whose storage starts on a cache line, for kernel scratch read with full-width
// loads: malloc aligns to 16 bytes only, so a 64-byte load from a plain vector splits across two
// lines three times in four, and where the heap happens to put the buffer would decide the
// kernel's speed (seen as a 1.5x spread between runs of the same AVX-512 GEMM).
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace bitnet::kernels {

inline constexpr std::size_t kCacheLine = 64;

template <class T>
struct CacheAlignedAllocator {
  using value_type = T;
  CacheAlignedAllocator() = default;
  template <class U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kCacheLine)));
  }
  void deallocate(T* p, std::size_t) noexcept {
    ::operator delete(p, std::align_val_t(kCacheLine));
  }
  template <class U>
  bool operator==(const CacheAlignedAllocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using CacheAlignedVector = std::vector<T, CacheAlignedAllocator<T>>;

}  // namespace bitnet::kernels
