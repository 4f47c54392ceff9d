// Writing a tool's output file: "-" (or empty) is stdout; anything else is written to a temp file
// beside it and renamed, so an interrupted run never leaves half a file where a good one was.
#pragma once

#include <string>

namespace bitnet::cli {

// Throws InputError (exit 3) "<path>: cannot write file[: reason]".
void write_output(const std::string& path, const std::string& text);

}  // namespace bitnet::cli
