// Tile driver shared by the register-tiled matmul kernels: walks rows [m_begin, m_end) in steps of
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

// The inner loop of a step, for any scheme: for each of the 4 two-bit fields k of each row's code
// bytes q[r], code[r] = Ops::field(q[r], shift0 + dshift * k), then for each column c,
// Ops::mac(s[r][c], code[r], y(c, k)) adds the products (y(c, k): the activations field k pairs
// with). Ops (maddubs_avx2.h, dpbusd_avx512vnni.h): V, the vector type; field(q, shift);
// mac(&s, code, y).
template <class Ops, int R, int C, class Y>
inline void field_products(const typename Ops::V (&q)[R], int shift0, int dshift, Y y,
                           typename Ops::V (&s)[R][C]) {
  for (int k = 0; k < 4; ++k) {
    typename Ops::V code[R];
    for (int r = 0; r < R; ++r) code[r] = Ops::field(q[r], shift0 + dshift * k);
    for (int c = 0; c < C; ++c) {
      const typename Ops::V yc = y(c, k);
      for (int r = 0; r < R; ++r) Ops::mac(s[r][c], code[r], yc);
    }
  }
}

// The one register-tile skeleton of the integer matmul kernels, for every instruction scheme
// (vpmaddubsw in maddubs_avx2.h, vpdpbusd in dpbusd_avx512vnni.h) and format: row and column
// pointers, the block loop with the next tile's prefetch, and the accumulator lifetime are here;
// a policy P says what one step computes and how sums become outputs.
//   kBlockElems, kWBlock, kXBlock  elements, weight bytes and activation bytes of one block
//   kStepBlocks                    blocks one step() consumes; a shorter last step calls
//                                  step_tail(wb, xb, s, blocks) (only when kStepBlocks > 1)
//   kGroupBlocks                   blocks whose integer sums gather in s before group_end()
//                                  (the per-block scale of TQ formats, or an int16 range bound)
//   Sum, Acc<R, C>                 the integer sum vector; what lives across groups (zeroed)
//   group_begin(xb, s)             s[R][C] at the start of a group (xb: its first block)
//   step(wb, xb, s)                adds the products of kStepBlocks blocks at wb[R], xb[C]
//   group_end(wb, xb, s, acc)      folds the group's sums into acc (wb, xb: its first block)
//   finish(a, m0, n0, acc)         writes the R x C outputs
template <class P>
struct PolicyTile {
  template <int R, int C>
  struct Tile {
    static void run(const MatmulArgs& a, int64_t m0, int64_t n0) {
      const int64_t nb = a.K / P::kBlockElems;
      const uint8_t* w[R];
      for (int r = 0; r < R; ++r) w[r] = a.w + (m0 + r) * static_cast<int64_t>(a.w_row_bytes);
      const uint8_t* x[C];
      for (int c = 0; c < C; ++c) x[c] = a.x.data + (n0 + c) * static_cast<int64_t>(a.x.col_bytes);
      const uint8_t* wb[R];
      const uint8_t* xb[C];
      const auto at = [&](int64_t b) {
        for (int r = 0; r < R; ++r) wb[r] = w[r] + b * static_cast<int64_t>(P::kWBlock);
        for (int c = 0; c < C; ++c) xb[c] = x[c] + b * static_cast<int64_t>(P::kXBlock);
      };

      typename P::template Acc<R, C> acc{};
      for (int64_t g = 0; g < nb;) {
        // (No g + kGroupBlocks unless it is below nb: a whole-row group may use INT64_MAX.)
        const int64_t g_end = nb - g <= P::kGroupBlocks ? nb : g + P::kGroupBlocks;
        typename P::Sum s[R][C];
        at(g);
        P::template group_begin<R, C>(xb, s);
        for (int64_t b = g; b < g_end; b += P::kStepBlocks) {
          prefetch_span(w[R - 1], a.w_row_bytes + b * static_cast<int64_t>(R * P::kWBlock),
                        P::kStepBlocks * R * P::kWBlock);
          at(b);
          if constexpr (P::kStepBlocks == 1) {
            P::template step<R, C>(wb, xb, s);
          } else {
            if (g_end - b >= P::kStepBlocks)
              P::template step<R, C>(wb, xb, s);
            else
              P::template step_tail<R, C>(wb, xb, s, g_end - b);
          }
        }
        at(g);
        P::template group_end<R, C>(wb, xb, s, acc);
        g = g_end;
      }
      P::template finish<R, C>(a, m0, n0, acc);
    }
  };
};

}  // namespace
}  // namespace bitnet::kernels

// Defines the registered kernel `name` (kernels.inc) as PolicyTile<Policy> with TM x TN tiles;
// use inside namespace bitnet::kernels.
#define BITNET_POLICY_TILE_KERNEL(name, Policy, TM, TN)                      \
  void name(const MatmulArgs& a, int64_t m_begin, int64_t m_end) {           \
    run_tiles<PolicyTile<Policy>::template Tile, TM, TN>(a, m_begin, m_end); \
  }
