// bitnet-fixtures CLI: exit codes (2 usage, 3 not found, 4 network, 5 integrity), stdout paths,
// and two CLI processes downloading the same file at once. Network: 127.0.0.1 only.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "fixture_test_util.h"
#include "http_test_server.h"

using bitnet::testing::HttpTestServer;
using bitnet::testing::Resource;
using bitnet::testing::TempDir;

namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bitnet::testing::isolate_env(dir / "cache");
    ::setenv("BITNET_DL_BACKOFF_MS", "10", 1);
    ::setenv("BITNET_DL_RETRIES", "2", 1);
    body = bitnet::testing::gguf_like_bytes(150000, 9);
    sha = bitnet::testing::sha256_of(body);
    Resource r;
    r.body = body;
    r.etag = sha;
    r.chunk_delay_ms = 30;  // slow enough for two processes to overlap
    server.add("/f.gguf", r);
  }
  // Runs the CLI with stdout to a file; returns the exit code.
  int run(const std::string& args, std::string* out = nullptr) {
    const std::string o = dir / "stdout.txt";
    const int st = std::system(
        (std::string(BITNET_FIXTURES_CLI) + " " + args + " >" + o + " 2>" + (dir / "stderr.txt"))
            .c_str());
    if (out) *out = bitnet::testing::read_file(o);
    last_err = bitnet::testing::read_file(dir / "stderr.txt");
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  TempDir dir;
  HttpTestServer server;
  std::string body, sha, last_err;
};

TEST_F(CliTest, ExitCodesDistinguishFailureKinds) {
  EXPECT_EQ(run("frobnicate"), 2) << last_err;
  EXPECT_EQ(run("resolve synthetic:nosuchshape"), 2) << last_err;
  EXPECT_EQ(run("generate tiny --format q4_0 -o " + dir / "x.gguf"), 2) << last_err;
  EXPECT_EQ(run("resolve " + dir / "missing.gguf"), 3) << last_err;
  EXPECT_EQ(run("download " + server.url("/nope.gguf") + " -o " + dir / "n.gguf"), 3) << last_err;
  EXPECT_NE(last_err.find(server.url("/nope.gguf")), std::string::npos) << last_err;
  EXPECT_EQ(run("download http://127.0.0.1:1/x.gguf -o " + dir / "c.gguf"), 4) << last_err;
  EXPECT_EQ(run("download " + server.url("/f.gguf") + " --sha256 " + std::string(64, 'b') + " -o " +
                dir / "bad.gguf"),
            5)
      << last_err;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.gguf"));
  bitnet::testing::write_file(dir / "text.gguf", "hello");
  EXPECT_EQ(run("verify " + dir / "text.gguf"), 5) << last_err;
  ::setenv("BITNET_OFFLINE", "1", 1);
  EXPECT_EQ(run("download " + server.url("/f.gguf") + " -o " + dir / "off.gguf"), 4) << last_err;
  EXPECT_EQ(server.request_count("/f.gguf"), 1);  // only the --sha256 attempt reached the server
}

TEST_F(CliTest, TwoCliProcessesShareOneTransfer) {
  const std::string cmd = std::string(BITNET_FIXTURES_CLI) + " download " + server.url("/f.gguf") +
                          " -o " + dir / "shared.gguf";
  int rc[2] = {-1, -1};
  std::thread a([&] { rc[0] = std::system((cmd + " >/dev/null 2>&1").c_str()); });
  std::thread b([&] { rc[1] = std::system((cmd + " >/dev/null 2>&1").c_str()); });
  a.join();
  b.join();
  EXPECT_EQ(rc[0], 0);
  EXPECT_EQ(rc[1], 0);
  EXPECT_EQ(server.request_count("/f.gguf"), 1);
  EXPECT_EQ(bitnet::testing::read_file(dir / "shared.gguf"), body);
}

TEST_F(CliTest, GenerateVerifyAndResolvePrintPaths) {
  std::string out;
  ASSERT_EQ(run("generate tiny --format tq1_0 --seed 4 -o " + dir / "g.gguf", &out), 0) << last_err;
  EXPECT_EQ(out, dir / "g.gguf\n");
  ASSERT_EQ(run("verify --full " + dir / "g.gguf", &out), 0) << last_err;
  EXPECT_NE(out.find("rehashed"), std::string::npos) << out;
  ASSERT_EQ(run("verify " + dir / "g.gguf", &out), 0) << last_err;
  EXPECT_NE(out.find("(stamp)"), std::string::npos) << out;
  ASSERT_EQ(run("resolve synthetic:tiny:tq1_0@4", &out), 0) << last_err;
  EXPECT_EQ(out, dir / "cache/synthetic/tiny-tq1_0-f16-bitnet-s4-g1.gguf\n");
  // Same spec, same bytes, whichever way it was made.
  EXPECT_EQ(bitnet::testing::read_file(dir / "g.gguf"),
            bitnet::testing::read_file(dir / "cache/synthetic/tiny-tq1_0-f16-bitnet-s4-g1.gguf"));
  ASSERT_EQ(run("info synthetic:tiny:tq1_0@4", &out), 0) << last_err;
  EXPECT_NE(out.find("TQ1_0"), std::string::npos) << out;
  ASSERT_EQ(run("list", &out), 0) << last_err;
  EXPECT_NE(out.find("bitnet-b1.58-2b-4t"), std::string::npos) << out;
  EXPECT_NE(out.find("tiny-tq1_0-f16-bitnet-s4-g1.gguf"), std::string::npos) << out;
  ASSERT_EQ(run("gc", &out), 0) << last_err;
}

}  // namespace
