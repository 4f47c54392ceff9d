// Processes a peer leaves behind. A peer's child that calls setsid() leaves the process group we
// kill, and would outlive us. run_process marks each peer's environment with a unique token,
// makes this process a child subreaper (PR_SET_CHILD_SUBREAPER: orphans of the peer are
// reparented to us instead of init), and after the peer exits kills every process that still
// carries the token, then every orphan reparented to us (which finds those that also cleared
// their environment), and reaps those that became our children.
#pragma once

#include <sys/types.h>

#include <mutex>
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

// The peers run_process is running now: never taken for leftovers. run_process holds the lock
// across fork() and note_peer_started(), so a concurrent kill_orphans never sees a peer it does
// not know about.
std::mutex& peer_spawn_mutex();
void note_peer_started(pid_t pid);  // with peer_spawn_mutex() held
void note_peer_reaped(pid_t pid);

// Start time of `pid` (clock ticks since boot, /proc/<pid>/stat field 22); -1 when gone.
long long process_start_ticks(pid_t pid);

// SIGKILLs every orphan reparented to us and all its descendants, reaps them, and repeats until
// none is left. An orphan is a child of this process that (a) is in another process group than
// ours (run_process puts each peer in its own group and everything else this process forks stays
// in ours; threads are not processes and never appear), (b) is not a peer run_process is running
// (another thread's), and (c) started at or after `since_ticks` (the finished peer's start time:
// a child this process made before that is not the peer's). Returns how many were killed.
int kill_orphans(long long since_ticks);

}  // namespace bitnet::compare
