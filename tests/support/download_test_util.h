// What the downloader tests share: options for a fetch from the local test server (short
// backoffs and timeouts, no progress bar) and the error a fetch that must fail throws.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "bitnet/fixtures/download.h"

namespace bitnet::testing {

inline fixtures::DownloadOptions quick_download(const std::string& url, const std::string& dest,
                                                int max_attempts, int backoff_initial_ms,
                                                int backoff_max_ms, int low_speed_time_s) {
  fixtures::DownloadOptions o;
  o.url = url;
  o.dest = dest;
  o.max_attempts = max_attempts;
  o.backoff_initial_ms = backoff_initial_ms;
  o.backoff_max_ms = backoff_max_ms;
  o.low_speed_limit = 1000;
  o.low_speed_time_s = low_speed_time_s;
  o.connect_timeout_s = 2;
  o.progress = fixtures::ProgressMode::kNone;
  return o;
}

// The error download(o) throws; a test failure (and an empty kIo error) when it succeeds.
inline fixtures::Error download_error(const fixtures::DownloadOptions& o) {
  try {
    fixtures::download(o);
  } catch (const fixtures::Error& e) {
    return e;
  }
  ADD_FAILURE() << "download of " << o.url << " succeeded but should have failed";
  return fixtures::Error(fixtures::ErrorKind::kIo, "");
}

}  // namespace bitnet::testing
