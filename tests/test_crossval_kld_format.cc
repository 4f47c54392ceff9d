// The KL-divergence base file: our writer's bytes, the reader's checks, the statistics.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "bitnet/crossval/kld_base.h"
#include "bitnet/crossval/kld_stats.h"
#include "test_decode_util.h"

namespace bitnet::crossval {
namespace {

std::vector<char> slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& p, const std::vector<char>& b) {
  std::ofstream(p, std::ios::binary).write(b.data(), static_cast<std::streamsize>(b.size()));
}

std::string read_error(const std::string& p) {
  try {
    read_kld_base(p);
  } catch (const KldFileError& e) {
    return e.what();
  }
  return "";
}

TEST(KldRecord, EncodesLikeLlamaPerplexity) {
  // Logits 0, 1, 2, 3 (and one far below max - 16, which clamps to code 0).
  const std::vector<float> logits = {0.f, 1.f, 2.f, 3.f, -40.f};
  std::vector<uint16_t> rec(2 * 3 + 4);
  const double nll = encode_record(logits, 2, rec.data());
  float d[2];
  std::memcpy(d, rec.data(), sizeof d);
  const double lse = std::log(std::exp(-3.0) + std::exp(-2.0) + std::exp(-1.0) + 1.0);
  EXPECT_FLOAT_EQ(d[0], 16.0f / 65535.f);  // min clamped to max - 16 = -13
  EXPECT_NEAR(d[1], -16.0 - lse, 1e-5);
  EXPECT_NEAR(nll, 1.0 + lse, 1e-6);
  EXPECT_EQ(rec[4 + 3], 65535);  // the max logit
  EXPECT_EQ(rec[4 + 4], 0);      // below the clamp
  EXPECT_EQ(rec[4 + 0], static_cast<uint16_t>(std::lround(13.0 / 16.0 * 65535)));
  EXPECT_EQ(rec[4 + 5], 0);  // padding word (n_vocab odd)
  // Decoding gives log p to within scale/2.
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(d[0] * rec[4 + i] + d[1], logits[i] - 3.0 - lse, d[0]);
}

TEST(KldBaseFile, WriterAndReaderRoundTrip) {
  const int32_t n_ctx = 8, n_vocab = 5;
  std::vector<int32_t> tokens;
  for (int i = 0; i < 2 * n_ctx; ++i) tokens.push_back(i % n_vocab);
  const std::string p = testutil::temp_path("rt.kld");
  std::filesystem::remove(p);
  {
    KldBaseWriter w(p, n_ctx, n_vocab, tokens);
    std::vector<float> rows(3 * n_vocab);  // positions 4..6
    for (size_t i = 0; i < rows.size(); ++i) rows[i] = std::sin(float(i));
    w.add_chunk(rows);
    EXPECT_FALSE(std::filesystem::exists(p));  // nothing under the final name yet
    w.add_chunk(rows);
    w.finish();
  }
  EXPECT_FALSE(std::filesystem::exists(p + ".tmp"));
  const KldBase b = read_kld_base(p);
  EXPECT_EQ(b.n_ctx, n_ctx);
  EXPECT_EQ(b.n_vocab, n_vocab);
  EXPECT_EQ(b.n_chunk, 2);
  EXPECT_EQ(b.tokens, tokens);
  EXPECT_EQ(b.scored_per_chunk(), 3);
  EXPECT_EQ(b.words_per_record(), 10);
  EXPECT_EQ(std::filesystem::file_size(p), 20u + 4 * 16 + 2 * 10 * 3 * 2);
  // A model identical to the base scores KLD ~0 (uint16 log-probs: first-order rounding error
  // only) and 100 % same top.
  KldAccumulator acc;
  std::vector<float> row(n_vocab);
  for (int c = 0; c < 2; ++c)
    for (int j = 0; j < 3; ++j) {
      for (int v = 0; v < n_vocab; ++v) row[v] = std::sin(float(j * n_vocab + v));
      acc.add(row, b.record(c, j), b.chunk_tokens(c)[4 + j + 1]);
    }
  const KldSummary s = acc.summary();
  EXPECT_EQ(s.count, 6u);
  EXPECT_LT(std::fabs(s.kld.value), 1e-5);
  EXPECT_EQ(s.same_top.value, 1.0);
  EXPECT_NEAR(s.ppl.value, s.ppl_base.value, 1e-3 * s.ppl.value);
}

TEST(KldBaseFile, AbandonedWriterLeavesNoFile) {
  const std::string p = testutil::temp_path("abandoned.kld");
  std::filesystem::remove(p);
  {
    std::vector<int32_t> tokens(8, 1);
    KldBaseWriter w(p, 8, 4, tokens);
  }
  EXPECT_FALSE(std::filesystem::exists(p));
  EXPECT_FALSE(std::filesystem::exists(p + ".tmp"));
}

TEST(KldBaseFile, BadFilesAreNamedWithFieldAndOffset) {
  const std::string good = testutil::data_path("kld/tiny-bitnet-A-TQ2_0.kld");
  const std::vector<char> bytes = slurp(good);
  ASSERT_EQ(bytes.size(), 262132u);
  const std::string p = testutil::temp_path("bad.kld");

  std::vector<char> b = bytes;
  b[0] = 'X';
  spit(p, b);
  EXPECT_NE(read_error(p).find("magic"), std::string::npos) << read_error(p);

  spit(p, std::vector<char>(bytes.begin(), bytes.begin() + 14));
  EXPECT_NE(read_error(p).find("truncated header"), std::string::npos) << read_error(p);

  spit(p, std::vector<char>(bytes.begin(), bytes.end() - 2));
  EXPECT_NE(read_error(p).find("size does not match"), std::string::npos) << read_error(p);

  b = bytes;
  const int32_t bad_vocab = -3;
  std::memcpy(b.data() + 12, &bad_vocab, 4);
  spit(p, b);
  EXPECT_NE(read_error(p).find("n_vocab = -3"), std::string::npos) << read_error(p);
  EXPECT_NE(read_error(p).find("offset 12"), std::string::npos) << read_error(p);

  b = bytes;
  const int32_t bad_tok = 9999;
  std::memcpy(b.data() + 20 + 4 * 7, &bad_tok, 4);
  spit(p, b);
  EXPECT_NE(read_error(p).find("token 7 is 9999"), std::string::npos) << read_error(p);
  EXPECT_NE(read_error(p).find("offset 48"), std::string::npos) << read_error(p);

  b = bytes;
  const float nan = NAN;
  std::memcpy(b.data() + 20 + 4 * 512 + 2 * 516 * 5, &nan, 4);  // record 5's scale
  spit(p, b);
  EXPECT_NE(read_error(p).find("record 5 (chunk 0, position 69)"), std::string::npos)
      << read_error(p);

  EXPECT_NE(read_error(testutil::temp_path("missing.kld")).find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace bitnet::crossval
