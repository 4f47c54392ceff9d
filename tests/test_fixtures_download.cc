// Downloader against tests/support/http_test_server on 127.0.0.1: resume, retries, HTTP errors,
// integrity failures, redirects, low-speed timeouts, concurrent processes, disk limits.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "bitnet/fixtures/cache.h"
#include "bitnet/fixtures/download.h"
#include "download_test_util.h"
#include "fixture_test_util.h"
#include "http_test_server.h"

namespace fx = bitnet::fixtures;
using bitnet::testing::Fault;
using bitnet::testing::HttpTestServer;
using bitnet::testing::Resource;
using bitnet::testing::TempDir;

namespace {

constexpr size_t kSize = 300 * 1024 + 17;  // not a multiple of the server's 16 KiB chunks

class DownloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bitnet::testing::isolate_env(dir.path() + "/cache");
    body = bitnet::testing::gguf_like_bytes(kSize, 7);
    sha = bitnet::testing::sha256_of(body);
    Resource r;
    r.body = body;
    r.etag = sha;  // as the hub's CDN does for LFS objects
    server.add("/m.gguf", r);
  }
  fx::DownloadOptions opts(const std::string& path = "/m.gguf") {
    return bitnet::testing::quick_download(server.url(path), dir / "out/m.gguf", 4, 20, 100, 1);
  }
  fx::Error expect_error(const fx::DownloadOptions& o) {
    return bitnet::testing::download_error(o);
  }
  bool exists(const std::string& p) { return std::filesystem::exists(p); }

  TempDir dir;
  HttpTestServer server;
  std::string body, sha;
};

TEST_F(DownloadTest, DownloadsVerifiesAndStamps) {
  const fx::DownloadResult r = fx::download(opts());
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_EQ(r.size, kSize);
  EXPECT_EQ(r.sha256, sha);
  EXPECT_EQ(r.sha256_source, "hub-etag");
  EXPECT_EQ(r.attempts, 1);
  EXPECT_FALSE(exists(r.path + ".part"));
  const auto stamp = fx::read_stamp(r.path);
  ASSERT_TRUE(stamp.has_value());
  EXPECT_EQ(stamp->sha256, sha);
  EXPECT_TRUE(fx::stamp_is_current(r.path, *stamp));
  // A second call reuses the stamped file without any request.
  const fx::DownloadResult again = fx::download(opts());
  EXPECT_TRUE(again.reused);
  EXPECT_EQ(server.request_count("/m.gguf"), 1);
}

TEST_F(DownloadTest, ResumesAfterConnectionDroppedAtSeveralPoints) {
  for (uint64_t cut :
       {uint64_t{1}, uint64_t{4096}, uint64_t{16384}, uint64_t{150001}, uint64_t{kSize - 1}}) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    std::filesystem::remove_all(dir / "out");
    const int before = server.request_count("/m.gguf");
    const uint64_t bytes_before = server.body_bytes("/m.gguf");
    server.push_fault("/m.gguf", Fault{Fault::Kind::kDrop, cut});
    const fx::DownloadResult r = fx::download(opts());
    EXPECT_EQ(bitnet::testing::read_file(r.path), body);
    EXPECT_EQ(r.attempts, 2);
    EXPECT_EQ(server.request_count("/m.gguf") - before, 2);
    // Resumed, not restarted: every byte crossed the wire once.
    EXPECT_EQ(server.body_bytes("/m.gguf") - bytes_before, kSize);
    const auto log = server.log();
    EXPECT_EQ(log.back().range, "bytes=" + std::to_string(cut) + "-");
    EXPECT_EQ(log.back().status, 206);
  }
}

TEST_F(DownloadTest, ResumesAfterConnectionReset) {
  for (uint64_t cut : {uint64_t{100}, uint64_t{200000}}) {
    SCOPED_TRACE("reset after " + std::to_string(cut));
    std::filesystem::remove_all(dir / "out");
    const int before = server.request_count("/m.gguf");
    server.push_fault("/m.gguf", Fault{Fault::Kind::kReset, cut});
    const fx::DownloadResult r = fx::download(opts());
    EXPECT_EQ(bitnet::testing::read_file(r.path), body);
    EXPECT_EQ(server.request_count("/m.gguf") - before, 2);
    // An RST may discard bytes still in flight: the resume point is what actually arrived.
    const std::string range = server.log().back().range;
    if (!range.empty()) {
      EXPECT_EQ(server.log().back().status, 206);
      EXPECT_LE(std::stoull(range.substr(6)), cut) << range;
    }
  }
}

TEST_F(DownloadTest, ResumesAPartFileLeftByAnEarlierRun) {
  std::filesystem::create_directories(dir / "out");
  bitnet::testing::write_file(dir / "out/m.gguf.part", body.substr(0, 100000));
  const fx::DownloadResult r = fx::download(opts());
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_EQ(server.request_count("/m.gguf"), 1);
  EXPECT_EQ(server.log().back().range, "bytes=100000-");
  EXPECT_EQ(server.body_bytes("/m.gguf"), kSize - 100000);
}

TEST_F(DownloadTest, RestartsWhenServerIgnoresRange) {
  Resource r;
  r.body = body;
  r.ranges = false;
  server.add("/norange.gguf", r);
  server.push_fault("/norange.gguf", Fault{Fault::Kind::kDrop, 50000});
  auto o = opts("/norange.gguf");
  o.expected_sha256 = sha;
  const fx::DownloadResult res = fx::download(o);
  EXPECT_EQ(bitnet::testing::read_file(res.path), body);
  EXPECT_EQ(res.sha256_source, "given");
}

TEST_F(DownloadTest, SurvivesServerRestartBetweenAttempts) {
  server.push_fault("/m.gguf", Fault{Fault::Kind::kDropAndRestart, 70000, 0, 0, 300});
  auto o = opts();
  o.max_attempts = 8;
  const fx::DownloadResult r = fx::download(o);
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_GE(r.attempts, 2);
  // The drop is a reset (RST), which discards bytes still in flight, so the client resumes from
  // what it actually received (<= 70000), never from zero; the server then sends the rest.
  const auto log = server.log();
  ASSERT_GE(log.size(), 2u);
  ASSERT_EQ(log.back().range.rfind("bytes=", 0), 0u) << log.back().range;
  const long resumed_at = std::stol(log.back().range.substr(6));
  EXPECT_GT(resumed_at, 0);
  EXPECT_LE(resumed_at, 70000);
  EXPECT_EQ(server.body_bytes("/m.gguf"), 70000 + (kSize - static_cast<size_t>(resumed_at)));
}

TEST_F(DownloadTest, NotFoundFailsFastNamingTheUrl) {
  auto o = opts("/missing.gguf");
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kNotFound);
  EXPECT_NE(std::string(e.what()).find("404"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find(o.url), std::string::npos) << e.what();
  EXPECT_EQ(server.request_count("/missing.gguf"), 1);  // no retries
  EXPECT_FALSE(exists(o.dest));
}

TEST_F(DownloadTest, UnauthorizedFailsFastWithTokenHint) {
  Resource r;
  r.body = body;
  r.require_token = "sekret";
  r.etag = sha;  // the hub's digest (without one the noise body would fail the GGUF check)
  server.add("/gated.gguf", r);
  auto o = opts("/gated.gguf");
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kNetwork);
  EXPECT_NE(std::string(e.what()).find("401"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("HF_TOKEN"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find(o.url), std::string::npos) << e.what();
  EXPECT_EQ(server.request_count("/gated.gguf"), 1);
  // HF_TOKEN is sent as a bearer token.
  ::setenv("HF_TOKEN", "sekret", 1);
  fx::apply_env_defaults(o);
  const fx::DownloadResult ok = fx::download(o);
  EXPECT_EQ(bitnet::testing::read_file(ok.path), body);
  EXPECT_EQ(server.log().back().authorization, "Bearer sekret");
}

TEST_F(DownloadTest, ForbiddenFailsFast) {
  Resource r;
  r.status = 403;
  server.add("/forbidden.gguf", r);
  const fx::Error e = expect_error(opts("/forbidden.gguf"));
  EXPECT_EQ(e.kind(), fx::ErrorKind::kNetwork);
  EXPECT_NE(std::string(e.what()).find("403"), std::string::npos) << e.what();
  EXPECT_EQ(server.request_count("/forbidden.gguf"), 1);
}

TEST_F(DownloadTest, RetriesTransient5xx) {
  server.push_fault("/m.gguf", Fault{Fault::Kind::kStatus, 0, 500});
  server.push_fault("/m.gguf", Fault{Fault::Kind::kStatus, 0, 503});
  const fx::DownloadResult r = fx::download(opts());
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_EQ(r.attempts, 3);
}

TEST_F(DownloadTest, PersistentServerErrorGivesUpAfterMaxAttempts) {
  Resource r;
  r.status = 500;
  server.add("/broken.gguf", r);
  auto o = opts("/broken.gguf");
  o.max_attempts = 3;
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kNetwork);
  EXPECT_NE(std::string(e.what()).find("500"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("3 attempts"), std::string::npos) << e.what();
  EXPECT_EQ(server.request_count("/broken.gguf"), 3);
}

TEST_F(DownloadTest, WrongSha256LeavesNoFile) {
  auto o = opts();
  o.expected_sha256 = std::string(64, '0');
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIntegrity);
  EXPECT_NE(std::string(e.what()).find("SHA-256 mismatch"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("deleted"), std::string::npos) << e.what();
  EXPECT_FALSE(exists(o.dest));
  EXPECT_FALSE(exists(o.dest + ".part"));
  EXPECT_FALSE(exists(o.dest + ".verified"));
}

TEST_F(DownloadTest, WrongHubEtagIsAnIntegrityFailure) {
  Resource r;
  r.body = body;
  r.etag = std::string(64, 'a');
  server.add("/lying.gguf", r);
  const fx::Error e = expect_error(opts("/lying.gguf"));
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIntegrity);
  EXPECT_NE(std::string(e.what()).find("hub-etag"), std::string::npos) << e.what();
  EXPECT_FALSE(exists(dir / "out/m.gguf"));
}

TEST_F(DownloadTest, WrongSizeLeavesNoFile) {
  auto o = opts();
  o.expected_size = kSize + 1;
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIntegrity);
  EXPECT_NE(std::string(e.what()).find("size mismatch"), std::string::npos) << e.what();
  EXPECT_FALSE(exists(o.dest));
  EXPECT_FALSE(exists(o.dest + ".part"));
}

TEST_F(DownloadTest, FollowsRedirectChainAndUsesLinkedEtag) {
  Resource file;
  file.body = body;  // the CDN's ETag is not a SHA-256
  file.etag = "cdn-etag-123";
  server.add("/cdn/blob", file);
  Resource hop2;
  hop2.redirect_to = "/cdn/blob";
  server.add("/hop2", hop2);
  Resource hop1;  // like the hub: the LFS SHA-256 rides on the first redirect
  hop1.redirect_to = server.url("/hop2");
  hop1.linked_etag = sha;
  hop1.linked_size = kSize;
  server.add("/repo/resolve/main/m.gguf", hop1);
  const fx::DownloadResult r = fx::download(opts("/repo/resolve/main/m.gguf"));
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_EQ(r.sha256_source, "hub-etag");
  EXPECT_EQ(server.request_count("/hop2"), 1);
  EXPECT_EQ(server.request_count("/cdn/blob"), 1);
}

TEST_F(DownloadTest, LowSpeedTimeoutRetriesAndResumes) {
  // curl averages the rate over a few seconds: keep the burst before the stall small.
  server.push_fault("/m.gguf", Fault{Fault::Kind::kStall, 8000, 0, 30000});
  auto o = opts();
  o.low_speed_limit = 20000;
  const auto t0 = std::chrono::steady_clock::now();
  const fx::DownloadResult r = fx::download(o);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(server.log().back().range, "bytes=8000-");
  EXPECT_LT(secs,
            10.0);  // the 1 s low-speed window (~2 s, more on a loaded machine), not the 30 s stall
}

TEST_F(DownloadTest, StalledServerEndsInNetworkError) {
  for (int i = 0; i < 2; ++i)
    // Stalls before the first byte: attempts without progress are what use up the budget.
    server.push_fault("/m.gguf", Fault{Fault::Kind::kStall, 0, 0, 10000});
  auto o = opts();
  o.low_speed_limit = 20000;
  o.max_attempts = 2;
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kNetwork);
  EXPECT_NE(std::string(e.what()).find("2 attempts"), std::string::npos) << e.what();
  EXPECT_TRUE(exists(o.dest + ".part"));  // kept for a later resume
}

TEST_F(DownloadTest, TwoProcessesDownloadOnce) {
  Resource slow;
  slow.body = body;
  slow.etag = sha;
  slow.chunk_delay_ms = 20;  // ~0.4 s per transfer, so the two processes overlap
  server.add("/slow.gguf", slow);
  const auto o = opts("/slow.gguf");
  pid_t kids[2];
  for (pid_t& k : kids) {
    k = ::fork();
    ASSERT_GE(k, 0);
    if (k == 0) {
      try {
        const fx::DownloadResult r = fx::download(o);
        ::_exit(bitnet::testing::read_file(r.path) == body ? 0 : 10);
      } catch (const fx::Error& e) {
        ::_exit(e.exit_code());
      }
    }
  }
  for (pid_t k : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(k, &status, 0), k);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_EQ(server.request_count("/slow.gguf"), 1);
  EXPECT_EQ(server.body_bytes("/slow.gguf"), kSize);
}

TEST_F(DownloadTest, NotEnoughFreeSpaceFailsBeforeAnyRequest) {
  auto o = opts();
  o.expected_size = uint64_t{1} << 60;
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIo);
  EXPECT_NE(std::string(e.what()).find("not enough free disk space"), std::string::npos)
      << e.what();
  EXPECT_EQ(server.request_count("/m.gguf"), 0);
}

TEST_F(DownloadTest, DiskFullDuringTransferIsAClearIoError) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const auto o = opts();
  const pid_t kid = ::fork();
  ASSERT_GE(kid, 0);
  if (kid == 0) {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
    rlimit lim{100000, 100000};
    ::setrlimit(RLIMIT_FSIZE, &lim);
    int code = 0;
    std::string msg;
    try {
      fx::download(o);
    } catch (const fx::Error& e) {
      code = e.exit_code();
      msg = e.what();
    }
    (void)!::write(fds[1], msg.data(), msg.size());
    ::_exit(code);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
    msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(kid, &status, 0), kid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), static_cast<int>(fx::ErrorKind::kIo)) << msg;
  EXPECT_NE(msg.find("cannot write"), std::string::npos) << msg;
  EXPECT_NE(msg.find("disk full"), std::string::npos) << msg;
  EXPECT_FALSE(exists(o.dest));
  // With the limit gone, the kept part file resumes.
  const fx::DownloadResult r = fx::download(o);
  EXPECT_EQ(bitnet::testing::read_file(r.path), body);
  EXPECT_EQ(server.log().back().range, "bytes=100000-");
}

TEST_F(DownloadTest, RejectsNonHttpUrlAndBadSha) {
  auto o = opts();
  o.url = "ftp://127.0.0.1/x";
  EXPECT_EQ(expect_error(o).kind(), fx::ErrorKind::kUsage);
  o = opts();
  o.expected_sha256 = "abc";
  EXPECT_EQ(expect_error(o).kind(), fx::ErrorKind::kUsage);
}

}  // namespace
