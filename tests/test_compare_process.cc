// The process runner against a helper with scripted behaviours: each ends in its own outcome.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "bitnet/compare/process.h"

namespace bitnet::compare {
namespace {

using namespace std::chrono_literals;

const std::string kHelper = COMPARE_PROC_HELPER;

RunResult run(std::vector<std::string> args, std::chrono::milliseconds timeout = 20s,
              std::chrono::milliseconds grace = 2s) {
  RunOptions o;
  o.argv = {kHelper};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.timeout = timeout;
  o.kill_grace = grace;
  return run_process(o);
}

TEST(CompareProcess, PrintsRecordedTranscriptAndExitsZero) {
  const std::string file = std::string(BITNET_TEST_DATA_DIR) + "/transcripts/bench-A-TQ2_0.md";
  RunResult r = run({"print", file});
  ASSERT_EQ(r.status, RunStatus::kExited) << describe_status(r);
  EXPECT_TRUE(r.ok());
  std::ifstream in(file);
  std::string expect((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(r.stdout_text, expect);
  EXPECT_TRUE(r.stderr_text.empty());
}

TEST(CompareProcess, NonZeroExitIsReportedWithStderrTail) {
  RunResult r = run({"exit", "3"});
  EXPECT_EQ(r.status, RunStatus::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  const std::string msg = describe_failure(r, {kHelper, "exit", "3"});
  EXPECT_NE(msg.find("exited with status 3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("error: something went wrong"), std::string::npos) << msg;
}

TEST(CompareProcess, CrashIsReportedAsSignal) {
  RunResult r = run({"segv"});
  EXPECT_EQ(r.status, RunStatus::kSignaled);
  EXPECT_EQ(r.signal, SIGSEGV);
  const std::string msg = describe_failure(r, {kHelper, "segv"});
  EXPECT_NE(msg.find("crashed"), std::string::npos) << msg;
  EXPECT_NE(msg.find("signal 11"), std::string::npos) << msg;
  EXPECT_NE(msg.find("about to crash"), std::string::npos) << msg;  // the log's tail
}

TEST(CompareProcess, TimeoutKillsWithSigterm) {
  const auto t0 = std::chrono::steady_clock::now();
  RunResult r = run({"sleep", "30000"}, 300ms);
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, RunStatus::kTimedOut);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(r.escalated_to_sigkill);
  EXPECT_LT(elapsed, 10s);
  EXPECT_NE(describe_status(r).find("timed out"), std::string::npos);
}

TEST(CompareProcess, IgnoredSigtermEscalatesToSigkill) {
  RunResult r = run({"ignore_term", "30000"}, 300ms, 300ms);
  EXPECT_EQ(r.status, RunStatus::kTimedOut);
  EXPECT_TRUE(r.escalated_to_sigkill);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_NE(describe_status(r).find("SIGKILL"), std::string::npos);
  EXPECT_LT(r.wall_seconds, 10);
}

TEST(CompareProcess, TimeoutKillsTheWholeProcessGroup) {
  const std::string pidfile =
      (std::filesystem::temp_directory_path() / ("cmp_grandchild_" + std::to_string(getpid())))
          .string();
  std::filesystem::remove(pidfile);
  RunResult r = run({"grandchild", pidfile, "30000"}, 500ms);
  EXPECT_EQ(r.status, RunStatus::kTimedOut);
  std::ifstream in(pidfile);
  pid_t gc = 0;
  ASSERT_TRUE(in >> gc) << "grandchild never wrote its pid";
  // The grandchild was in the group: it must be gone (allow the kernel a moment to reap it).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(gc, 0) != 0;
    if (!gone) {
      std::ifstream st("/proc/" + std::to_string(gc) + "/stat");
      std::string s;
      std::getline(st, s);
      gone = s.find(") Z") != std::string::npos;  // zombie awaiting init's reap
    }
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(gone) << "grandchild " << gc << " survived the group kill";
  std::filesystem::remove(pidfile);
}

TEST(CompareProcess, GarbageIsCapturedVerbatim) {
  RunResult r = run({"garbage", "5000"});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_text.size(), 5000u);
}

TEST(CompareProcess, LargeOutputOnBothStreamsDoesNotDeadlock) {
  RunResult r = run({"big", "4000000"});
  ASSERT_TRUE(r.ok()) << describe_status(r);
  EXPECT_EQ(r.stdout_text.size(), 4000000u);
  EXPECT_EQ(r.stderr_text.size(), 4000000u);
}

TEST(CompareProcess, CaptureCapKeepsTheTail) {
  RunOptions o;
  o.argv = {kHelper, "big", "100000"};
  o.max_capture_bytes = 1000;
  RunResult r = run_process(o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_text.size(), 1000u);
  EXPECT_TRUE(r.stdout_truncated);
}

TEST(CompareProcess, ArgumentsReachTheChildVerbatimWithoutAShell) {
  const std::string nasty = "$(touch /tmp/should_not_exist_cmp); 'quoted' \"dq\" `x` *";
  RunResult r = run({"args", nasty, "", "a b"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.stdout_text, nasty + "\n\na b\n");
  EXPECT_FALSE(std::filesystem::exists("/tmp/should_not_exist_cmp"));
}

TEST(CompareProcess, MissingExecutableIsASpawnFailure) {
  RunOptions o;
  o.argv = {"/nonexistent/llama-bench", "--version"};
  RunResult r = run_process(o);
  EXPECT_EQ(r.status, RunStatus::kSpawnFailed);
  EXPECT_NE(r.spawn_error.find("/nonexistent/llama-bench"), std::string::npos);
  EXPECT_NE(r.spawn_error.find("No such file"), std::string::npos) << r.spawn_error;
}

TEST(CompareProcess, InterruptKillsTheChildGroup) {
  clear_interrupt();
  std::thread t([] {
    std::this_thread::sleep_for(200ms);
    request_interrupt();
  });
  RunResult r = run({"sleep", "30000"}, 20s);
  t.join();
  clear_interrupt();
  EXPECT_EQ(r.status, RunStatus::kInterrupted);
  EXPECT_LT(r.wall_seconds, 10);
  EXPECT_NE(describe_status(r).find("interrupted"), std::string::npos);
}

TEST(CompareProcess, TailLines) {
  EXPECT_EQ(tail_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(tail_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(tail_lines("", 3), "");
  EXPECT_EQ(tail_lines("only", 1), "only");
}

TEST(CompareProcess, QuoteArgvForMessages) {
  EXPECT_EQ(quote_argv({"llama-bench", "-m", "a b.gguf", "it's"}),
            "llama-bench -m 'a b.gguf' 'it'\\''s'");
}

}  // namespace
}  // namespace bitnet::compare
