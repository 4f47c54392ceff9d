// Processes a peer leaves behind. A peer's child that calls setsid() leaves the process group we
// kill, and would outlive us. run_process marks each peer's environment with a unique token,
// makes this process a child subreaper (PR_SET_CHILD_SUBREAPER: orphans of the peer are
// reparented to us instead of init), and after the peer exits kills every process that still
// carries the token and reaps those that became our children.
#pragma once

#include <string>

namespace bitnet::compare {

// The environment variable that carries the token.
inline constexpr const char* kRunTokenVariable = "BITNET_COMPARE_RUN_TOKEN";

// A token unique to this process and call ("<pid>-<counter>-<nanoseconds>").
std::string make_run_token();

// prctl(PR_SET_CHILD_SUBREAPER, 1); idempotent, a no-op where unsupported.
void become_child_subreaper();

// SIGKILLs every process of this user whose environment holds kRunTokenVariable=token (scanning
// /proc), reaps the ones that are our children, and repeats until none is left (a leftover may
// fork while we look). Returns how many were killed. A peer that clears its environment escapes
// this; one that only calls setsid() does not.
int kill_leftovers(const std::string& token);

}  // namespace bitnet::compare
