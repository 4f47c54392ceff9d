#include "bitnet/cli/app.h"
#include "bitnet/cli/version_info.h"  // generated at build time (cmake/VersionHeader.cmake)

namespace bitnet::cli {

std::string version_text(const std::string& tool) {
  return tool + " " + kProjectVersion + " (commit " + kGitCommit + ")";
}

}  // namespace bitnet::cli
