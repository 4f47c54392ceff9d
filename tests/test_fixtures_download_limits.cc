// The downloader against servers that lie or never stop: bodies past the expected size or the
// Content-Length, a short Content-Length with no digest, Retry-After, progress-making retries,
// redirects to other schemes, and what a 404/401/403 leaves behind. Network: 127.0.0.1 only.
#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

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

class DownloadLimits : public ::testing::Test {
 protected:
  void SetUp() override { bitnet::testing::isolate_env(dir / "cache"); }
  fx::DownloadOptions opts(const std::string& path) {
    return bitnet::testing::quick_download(server.url(path), dest, 3, 10, 20, 2);
  }
  fx::Error expect_error(const fx::DownloadOptions& o) {
    return bitnet::testing::download_error(o);
  }
  bool exists(const std::string& p) { return std::filesystem::exists(p); }
  TempDir dir;
  HttpTestServer server;
  const std::string dest = dir / "out/m.gguf";
  const std::string model =
      bitnet::testing::read_file(std::string(BITNET_TEST_DATA_DIR) + "/tiny-bitnet-A-TQ2_0.gguf");
};

TEST_F(DownloadLimits, AnEndlessBodyStopsAtTheExpectedSize) {
  Resource r;
  r.body = bitnet::testing::gguf_like_bytes(4096, 1);
  r.no_length = true;
  r.repeat_to = 8u << 20;
  server.add("/endless.gguf", r);
  auto o = opts("/endless.gguf");
  o.expected_size = 1000;
  const fx::Error e = expect_error(o);
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIntegrity) << e.what();
  EXPECT_NE(std::string(e.what()).find("more than 1000 bytes"), std::string::npos) << e.what();
  EXPECT_FALSE(exists(dest));
  EXPECT_FALSE(exists(dest + ".part"));
}

TEST_F(DownloadLimits, ABodyLongerThanItsContentLengthIsNotWritten) {
  // Without an expected size, Content-Length is the bound: a server announcing 1000 bytes and
  // sending 8 MB does not get 8 MB onto the disk (libcurl itself stops at Content-Length).
  Resource r;
  r.body = bitnet::testing::gguf_like_bytes(4096, 2);
  r.claimed_length = 1000;
  r.repeat_to = 8u << 20;
  server.add("/liar.gguf", r);
  const fx::Error e = expect_error(opts("/liar.gguf"));
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIntegrity) << e.what();
  EXPECT_FALSE(exists(dest));
  EXPECT_FALSE(exists(dest + ".part"));
}

TEST_F(DownloadLimits, AShortContentLengthWithoutDigestIsRejectedByStructure) {
  Resource r;
  r.body = model;
  r.claimed_length = model.size() - 100;  // truncated tensor data, no ETag, no --sha256
  server.add("/short.gguf", r);
  const fx::Error e = expect_error(opts("/short.gguf"));
  EXPECT_EQ(e.kind(), fx::ErrorKind::kIntegrity) << e.what();
  EXPECT_NE(std::string(e.what()).find("not a complete GGUF"), std::string::npos) << e.what();
  EXPECT_FALSE(exists(dest));
  EXPECT_FALSE(exists(dest + ".part"));
  // The whole file, still without a digest, is accepted: it parses.
  Resource whole;
  whole.body = model;
  server.add("/whole.gguf", whole);
  const fx::DownloadResult ok = fx::download(opts("/whole.gguf"));
  EXPECT_EQ(ok.size, model.size());
  EXPECT_EQ(ok.sha256_source, "computed");
}

TEST_F(DownloadLimits, RetryAfterIsHonoured) {
  Resource r;
  r.body = model;
  server.add("/busy.gguf", r);
  Fault f;
  f.kind = Fault::Kind::kStatus;
  f.status = 503;
  f.retry_after = "1";
  server.push_fault("/busy.gguf", f);
  const auto t0 = std::chrono::steady_clock::now();
  const fx::DownloadResult ok = fx::download(opts("/busy.gguf"));  // backoff alone: 10 ms
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(ok.size, model.size());
  EXPECT_GE(s, 0.95);
  EXPECT_EQ(server.request_count("/busy.gguf"), 2);
}

TEST_F(DownloadLimits, OnlyAttemptsWithoutProgressUseTheRetryBudget) {
  Resource r;
  r.body = model;
  server.add("/flaky.gguf", r);
  // Five drops, each after a little more of the file: five attempts with progress, then success,
  // with a budget of 3 attempts that make none.
  const uint64_t step = model.size() / 8;
  for (int i = 0; i < 5; ++i) {
    Fault f;
    f.kind = Fault::Kind::kDrop;
    f.after = step;
    server.push_fault("/flaky.gguf", f);
  }
  const fx::DownloadResult ok = fx::download(opts("/flaky.gguf"));
  EXPECT_EQ(ok.size, model.size());
  EXPECT_EQ(ok.attempts, 6);
  EXPECT_EQ(bitnet::testing::read_file(dest), model);
}

TEST_F(DownloadLimits, RedirectsToOtherSchemesAreRefused) {
  for (const std::string target :
       {"file:///etc/passwd", "ftp://127.0.0.1/x.gguf", "gopher://127.0.0.1/x"}) {
    Resource r;
    r.redirect_to = target;
    server.add("/redir.gguf", r);
    const fx::Error e = expect_error(opts("/redir.gguf"));
    EXPECT_EQ(e.kind(), fx::ErrorKind::kNetwork) << target << ": " << e.what();
    EXPECT_FALSE(exists(dest)) << target;
  }
}

TEST_F(DownloadLimits, ErrorStatusesLeaveNoPartOrLockFile) {
  Resource gated;
  gated.body = model;
  gated.require_token = "secret";
  server.add("/gated.gguf", gated);
  Resource forbidden;
  forbidden.status = 403;
  server.add("/forbidden.gguf", forbidden);
  for (const std::string path : {"/nope.gguf", "/gated.gguf", "/forbidden.gguf"}) {
    const fx::Error e = expect_error(opts(path));
    EXPECT_TRUE(e.kind() == fx::ErrorKind::kNotFound || e.kind() == fx::ErrorKind::kNetwork)
        << e.what();
    EXPECT_FALSE(exists(dest + ".part")) << path;
    EXPECT_FALSE(exists(dest + ".lock")) << path;
  }
}

}  // namespace
