// Tile driver shared by the optimized matmul kernels: walks rows [m_begin, m_end) in steps of
// TM and columns in steps of TN, and calls Tile<r, c>::run for each tile, where r <= TM and
// c <= TN are the tile's actual size (so edge tiles use a smaller instantiation, never padding).
// Rows are the outer loop: a tile's weight rows (TM * K/4 bytes) stay in L1 while every
// activation column passes over them, so weights stream from memory exactly once.
//
// Everything is in an anonymous namespace: this header is included by translation units built
// with different -m flags, and the linker must not merge their instantiations.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>

#include "bitnet/kernels/kernel.h"

namespace bitnet::kernels {
namespace {

using TileFn = void (*)(const MatmulArgs& a, int64_t m0, int64_t n0);

// Plain arrays and no std::min here: in a -O0 build, out-of-line std:: instantiations made in a
// TU with ISA flags are shared (weak symbols) with baseline code, and the linker may keep the
// ISA-flagged copy.
template <template <int, int> class Tile, int TM, int TN>
struct TileTable {
  TileFn fn[TM * TN];
};

template <template <int, int> class Tile, int TM, int TN>
constexpr TileTable<Tile, TM, TN> make_tile_table() {
  return []<size_t... I>(std::index_sequence<I...>) {
    return TileTable<Tile, TM, TN>{
        {&Tile<static_cast<int>(I / TN) + 1, static_cast<int>(I % TN) + 1>::run...}};
  }
  (std::make_index_sequence<TM * TN>{});
}

template <template <int, int> class Tile, int TM, int TN>
void run_tiles(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {
  static constexpr TileTable<Tile, TM, TN> kTable = make_tile_table<Tile, TM, TN>();
  for (int64_t m = m_begin; m < m_end; m += TM) {
    const int r = static_cast<int>(m_end - m < TM ? m_end - m : TM);
    for (int64_t n = 0; n < a.x.N; n += TN) {
      const int c = static_cast<int>(a.x.N - n < TN ? a.x.N - n : TN);
      kTable.fn[(r - 1) * TN + (c - 1)](a, m, n);
    }
  }
}

// Software prefetch of the NEXT tile's weight rows while this tile runs: rows of a tile are
// contiguous, so the next tile is the `bytes` after the current tile's last row, and prefetching
// `step` of them per block spreads it over the current tile's blocks. Measured on Zen 1 with
// weights streaming from DRAM: without it the R interleaved row streams of a tile run well below
// the single-stream speed (see docs/kernels.md "Performance").
inline void prefetch_span(const uint8_t* base, size_t offset, size_t step) {
  // Integer arithmetic: the address may lie past the weights (last tile), which is harmless for
  // a prefetch but would be undefined as pointer arithmetic.
  const uintptr_t p = reinterpret_cast<uintptr_t>(base) + offset;
  for (size_t off = 0; off < step; off += 64)
    __builtin_prefetch(reinterpret_cast<const void*>(p + off), 0, 3);
}

inline float load_f32_at(const uint8_t* p) {
  float f;
  std::memcpy(&f, p, sizeof f);
  return f;
}

inline uint16_t load_u16_at(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace
}  // namespace bitnet::kernels
