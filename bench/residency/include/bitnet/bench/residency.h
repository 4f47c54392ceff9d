// Whether a model file is in memory while it is timed. The engine maps the GGUF, so a page the
// kernel has dropped (these VMs reclaim file pages unused for about a minute) or one still under
// writeback after generation turns a timed token into disk reads. The suite makes the file
// resident and written back before each timed case, records the resident fraction, and counts
// the major page faults of the timed region.
#pragma once

#include <string>

namespace bitnet::bench {

// Fraction of the file's pages in the page cache (mincore over a fresh read-only mapping), in
// [0, 1]; -1 when it cannot be told (unreadable file, mapping refused).
double resident_fraction(const std::string& path);

// Waits for the file's dirty pages to be written back (fdatasync), then reads every page not yet
// resident, so timing starts with the whole file in memory. Throws std::runtime_error naming the
// file on an I/O error.
void make_resident(const std::string& path);

// Major page faults of this process so far (getrusage: faults that read from disk).
long major_faults();

}  // namespace bitnet::bench
