// What the OS reports about this CPU's caches, and what follows from it for dispatch. Reported
// sizes can be wrong (a hypervisor may report a whole socket's L3, or more): the machine probe of
// the benchmark suite measures the real levels. Here they only decide whether weights stream.
#pragma once

#include <cstdint>

namespace bitnet {

// Bytes of the data (or unified) cache at `level` as sysfs reports it for cpu0; 0 when unknown.
int64_t reported_cache_bytes(int level);

// The largest reported data/unified cache level's size (the last-level cache); 0 when unknown.
int64_t reported_llc_bytes();

// True when a model whose matmul weights total `weight_bytes` streams them from DRAM on every
// token: they exceed the reported last-level cache (or 32 MiB when nothing is reported). Reported
// sizes err on the large side, so this says "cold" only when that is sure.
bool weights_stream_from_dram(uint64_t weight_bytes);

}  // namespace bitnet
