// Deterministic mutation test: thousands of random byte flips, value splices and truncations of
// valid files. Parsing must either succeed or throw gguf::Error; everything a caller can do with
// a file that parsed (data(), the info dump) must then work. Run under ASan+UBSan as well.
#include <gtest/gtest.h>

#include <random>

#include "bitnet/gguf/dump.h"
#include "bitnet/gguf/gguf.h"
#include "gguf_test_util.h"

namespace bitnet::gguf {
namespace {

struct Outcome {
  int parsed = 0;
  int rejected = 0;
};

// Values that tend to hit edge cases when spliced over a length or count field.
constexpr uint64_t kInteresting[] = {0,
                                     1,
                                     4,
                                     5,
                                     31,
                                     32,
                                     63,
                                     64,
                                     0x7f,
                                     0xff,
                                     0xffff,
                                     0x7fffffff,
                                     0x80000000,
                                     0xffffffff,
                                     uint64_t{1} << 32,
                                     uint64_t{1} << 60,
                                     uint64_t{1} << 63,
                                     ~uint64_t{0}};

std::vector<uint8_t> mutate(std::vector<uint8_t> b, std::mt19937_64& rng, uint64_t hot_end) {
  const int n_mut = 1 + static_cast<int>(rng() % 4);
  for (int m = 0; m < n_mut && !b.empty(); ++m) {
    // Most mutations land in the header/metadata/infos (hot_end), where the parser lives.
    const uint64_t span = (rng() % 8 != 0) ? std::min<uint64_t>(hot_end, b.size()) : b.size();
    const size_t at = static_cast<size_t>(rng() % span);
    switch (rng() % 5) {
      case 0:
        b[at] = static_cast<uint8_t>(rng());
        break;
      case 1:
        b[at] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 2: {
        const uint64_t v = kInteresting[rng() % std::size(kInteresting)];
        const size_t width = (rng() % 2) ? 8 : 4;
        for (size_t k = 0; k < width && at + k < b.size(); ++k) b[at + k] = (v >> (8 * k)) & 0xff;
        break;
      }
      case 3:
        b.resize(at);
        break;
      case 4:
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(rng()));
        break;
    }
  }
  return b;
}

// Uses a parsed file the way the tools and engine do; must not crash on anything that parsed.
void exercise(const File& f) {
  for (const auto& t : f.tensors()) {
    try {
      const auto d = f.data(t);
      ASSERT_EQ(d.size(), t.nbytes);
      ASSERT_LE(f.data_offset() + t.offset + t.nbytes, f.file_size());
      volatile uint8_t sink = 0;
      if (!d.empty()) sink = d.front() ^ d.back();
      (void)sink;
    } catch (const Error& e) {
      ASSERT_FALSE(t.known_type()) << e.what();
    }
  }
  const std::string text = describe_text(f, 4);
  ASSERT_FALSE(text.empty());
  const std::string json =
      describe_json(f, 4).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  ASSERT_FALSE(json.empty());
  for (const auto& kv : f.metadata()) {
    try {
      (void)f.get<uint32_t>(kv.key);
    } catch (const Error&) {
    }
  }
}

Outcome run(const std::vector<uint8_t>& base, uint64_t hot_end, uint64_t seed, int iterations) {
  std::mt19937_64 rng(seed);
  Outcome o;
  for (int i = 0; i < iterations; ++i) {
    const auto bytes = mutate(base, rng, hot_end);
    std::optional<File> f;
    try {
      f.emplace(File::from_bytes(bytes, "mutant.gguf"));
    } catch (const Error& e) {
      ++o.rejected;
      EXPECT_FALSE(e.field().empty()) << e.what();
      continue;
    }
    // Any other exception type escapes and fails the test.
    ++o.parsed;
    exercise(*f);
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "iteration " << i;
      return o;
    }
  }
  return o;
}

TEST(GgufMutation, SmallFileNeverCrashesAndOnlyThrowsGgufError) {
  const auto base = test::small_spec().build().bytes;
  const File f = File::from_bytes(base);
  const Outcome o = run(base, f.data_offset(), 20261126, 4000);
  // Both outcomes must occur, or the mutations are not testing anything.
  EXPECT_GT(o.rejected, 1000);
  EXPECT_GT(o.parsed, 50);
  std::printf("small file: %d parsed, %d rejected\n", o.parsed, o.rejected);
}

TEST(GgufMutation, GoldenHeaderNeverCrashes) {
  const File golden = File::open(std::string(BITNET_TEST_DATA_DIR) + "/tiny-bitnet-A-TQ2_0.gguf");
  const std::vector<uint8_t> base(golden.bytes().begin(), golden.bytes().end());
  const Outcome o = run(base, golden.data_offset(), 7, 300);
  EXPECT_GT(o.rejected, 50);
  EXPECT_GT(o.parsed, 10);
  std::printf("golden file: %d parsed, %d rejected\n", o.parsed, o.rejected);
}

}  // namespace
}  // namespace bitnet::gguf
