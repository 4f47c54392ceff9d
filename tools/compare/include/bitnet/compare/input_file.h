// Reading a file named on the command line without trusting what it is: a FIFO, a device such as
// /dev/zero, or a huge file must give a clear error, not a hang or an out-of-memory abort.
#pragma once

#include <cstdint>
#include <string>

namespace bitnet::compare {

// Peer output and result files are kilobytes to a few MB; this leaves a wide margin.
inline constexpr uint64_t kMaxInputFileBytes = 256ull << 20;

// Contents of the regular file `path`, at most `max_bytes` long. Opens without blocking (a FIFO
// is refused, not waited on). Throws CompareError(kExitInput) naming the file and the reason.
std::string read_input_file(const std::string& path, uint64_t max_bytes = kMaxInputFileBytes);

}  // namespace bitnet::compare
