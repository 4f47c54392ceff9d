// Hand-made broken files: each must fail with a gguf::Error naming the right field (and never
// crash, hang or allocate by a count read from the file).
#include <gtest/gtest.h>

#include "bitnet/gguf/gguf.h"
#include "gguf_test_util.h"

namespace bitnet::gguf {
namespace {

using test::Bytes;
using test::kv;
using test::kv_str;
using test::kv_u32;
using test::small_spec;
using test::Spec;

// Parses `bytes` and returns the error; fails the test when parsing succeeds.
Error parse_error(const std::vector<uint8_t>& bytes) {
  try {
    File::from_bytes(bytes, "broken.gguf");
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "file parsed without error";
  return Error("", 0, "", "");
}

void expect_error(const Spec& s, const std::string& field, const std::string& what_part) {
  const Error e = parse_error(s.build().bytes);
  EXPECT_EQ(e.field(), field) << e.what();
  EXPECT_NE(std::string(e.what()).find(what_part), std::string::npos) << e.what();
  EXPECT_EQ(e.file(), "broken.gguf");
}

TEST(GgufBroken, SmallSpecIsValid) {
  const File f = File::from_bytes(small_spec().build().bytes);
  EXPECT_EQ(f.tensors().size(), 3u);
  EXPECT_EQ(f.tensor("b.weight").nbytes, 132u);
}

TEST(GgufBroken, EmptyFile) {
  const Error e = parse_error({});
  EXPECT_EQ(e.field(), "magic");
  EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
}

TEST(GgufBroken, BadMagic) {
  Spec s = small_spec();
  s.magic = 0x47554747;  // "GGUG"
  expect_error(s, "magic", "found \"GGUG\"");
}

TEST(GgufBroken, Version1And4AndByteSwapped) {
  Spec s = small_spec();
  s.version = 1;
  expect_error(s, "version", "version 1");
  s.version = 4;
  expect_error(s, "version", "unsupported GGUF version 4");
  s.version = 0x03000000;
  expect_error(s, "version", "byte-swapped");
  s.version = 2;  // v2 has the same layout as v3 and is accepted
  EXPECT_EQ(File::from_bytes(s.build().bytes).version(), 2u);
}

TEST(GgufBroken, HugeAndNegativeCounts) {
  Spec s = small_spec();
  s.n_kv = int64_t{1} << 60;
  expect_error(s, "n_kv", "cannot fit");
  s = small_spec();
  s.n_kv = -1 - (int64_t{1} << 62);
  expect_error(s, "n_kv", "cannot fit");
  s = small_spec();
  s.n_tensors = int64_t{1} << 40;
  expect_error(s, "n_tensors", "cannot fit");
  s = small_spec();
  s.n_tensors = -2;
  expect_error(s, "n_tensors", "cannot fit");
  // A plausible but too large count runs out of bytes while reading the extra records.
  s = small_spec();
  s.n_kv = 5;
  const Error e = parse_error(s.build().bytes);
  EXPECT_FALSE(e.field().empty()) << e.what();
}

TEST(GgufBroken, HugeStringLength) {
  Spec s = small_spec();
  Bytes b;
  b.u64(uint64_t{1} << 62).raw({'a', 'b'});  // key length 2^62
  s.kvs.insert(s.kvs.begin(), b.b);
  expect_error(s, "key #0", "string length 4611686018427387904 exceeds");
  s = small_spec();
  s.kvs.push_back(kv("s", ValueType::kString, Bytes().u64(~uint64_t{0})));
  expect_error(s, "key 's'", "string length 18446744073709551615 exceeds");
}

TEST(GgufBroken, HugeArrayCounts) {
  Spec s = small_spec();
  // 2^60 strings: rejected by comparing with the remaining bytes, never by reserving.
  s.kvs.push_back(kv("tokenizer.ggml.merges", ValueType::kArray,
                     Bytes().i32(8).u64(uint64_t{1} << 60).str("a")));
  expect_error(s, "key 'tokenizer.ggml.merges' count", "1152921504606846976 items of type str");
  s = small_spec();
  s.kvs.push_back(kv("f", ValueType::kArray, Bytes().i32(6).u64(~uint64_t{0})));
  expect_error(s, "key 'f' count", "need at least 4 bytes each");
  s = small_spec();
  s.kvs.push_back(
      kv("nested", ValueType::kArray, Bytes().i32(9).u64(1).i32(8).u64(uint64_t{1} << 61)));
  expect_error(s, "key 'nested'[0] count", "items of type str");
}

TEST(GgufBroken, ArrayItemLimitIsCheckedBeforeDecoding) {
  // 2^24 + 1 one-byte items that really are in the file: the count fits the remaining bytes but
  // would decode to ~800 MB of Values, so the per-file item limit rejects it before any item.
  const uint64_t n = (uint64_t{1} << 24) + 1;
  Spec s = small_spec();
  Bytes b;
  b.i32(0).u64(n);
  b.b.resize(b.b.size() + n, 0);
  s.kvs.push_back(kv("huge.u8", ValueType::kArray, b));
  expect_error(s, "key 'huge.u8' count",
               "16777217 more array items exceed the limit of 16777216 metadata array items");
}

TEST(GgufBroken, InvalidValueTypes) {
  Spec s = small_spec();
  s.kvs.push_back(kv("x", static_cast<ValueType>(13), Bytes().u32(0)));
  expect_error(s, "key 'x' type", "invalid GGUF value type 13");
  s = small_spec();
  s.kvs.push_back(kv("y", ValueType::kArray, Bytes().i32(-3).u64(0)));
  expect_error(s, "key 'y' element type", "invalid GGUF value type -3");
  s = small_spec();
  s.kvs.push_back(kv("b", ValueType::kBool, Bytes().u8(2)));
  expect_error(s, "key 'b'", "bool byte is 2");
}

TEST(GgufBroken, ArraysNestedTooDeep) {
  Spec s = small_spec();
  Bytes b;
  for (int i = 0; i < 9; ++i) b.i32(9).u64(1);  // nine nested single-item arrays ...
  b.i32(0).u64(0);                              // ... around an empty u8 array
  s.kvs.push_back(kv("deep", ValueType::kArray, b));
  const Error e = parse_error(s.build().bytes);
  EXPECT_NE(std::string(e.what()).find("nested deeper than 8"), std::string::npos) << e.what();
  EXPECT_EQ(e.field().rfind("key 'deep'", 0), 0u) << e.what();
}

TEST(GgufBroken, BadKeys) {
  Spec s = small_spec();
  s.kvs.insert(s.kvs.begin() + 1, kv_u32("tok\xc3(", 1));  // 0xC3 needs a continuation byte
  expect_error(s, "key #1", "invalid UTF-8 at byte 3");
  s = small_spec();
  s.kvs.insert(s.kvs.begin(), kv_u32("a\xc0\xaf", 1));  // overlong '/'
  expect_error(s, "key #0", "invalid UTF-8 at byte 1");
  s = small_spec();
  s.kvs.insert(s.kvs.begin(), kv_u32("\xed\xa0\x80", 1));  // UTF-16 surrogate
  expect_error(s, "key #0", "invalid UTF-8 at byte 0");
  s = small_spec();
  s.kvs.push_back(kv_u32("bitnet.block_count", 3));
  expect_error(s, "key 'bitnet.block_count'", "duplicate key (first defined at offset 70)");
  s = small_spec();
  s.kvs.push_back(kv_u32("", 3));
  expect_error(s, "key #4", "empty key");
  // Valid multi-byte UTF-8 is fine.
  s = small_spec();
  s.kvs.push_back(kv_u32("clé.日本.🙂", 3));
  EXPECT_EQ(File::from_bytes(s.build().bytes).get<uint32_t>("clé.日本.🙂"), 3u);
}

TEST(GgufBroken, AlignmentValues) {
  for (uint32_t bad : {0u, 3u, 48u}) {
    Spec s = small_spec();
    s.kvs.push_back(kv_u32("general.alignment", bad));
    expect_error(s, "key 'general.alignment'", "is not a nonzero power of two");
  }
  Spec s = small_spec();
  s.kvs.push_back(kv("general.alignment", ValueType::kI32, Bytes().i32(32)));
  expect_error(s, "key 'general.alignment'", "must be of type u32, is i32");
  // A valid larger alignment moves the data section.
  s = small_spec();
  s.kvs.push_back(kv_u32("general.alignment", 64));
  s.alignment = 64;
  s.tensors[1].offset = 64;
  s.tensors[2].offset = 256;
  s.data_bytes = 264;
  const File f = File::from_bytes(s.build().bytes);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
}

TEST(GgufBroken, TensorShapes) {
  Spec s = small_spec();
  s.n_dims_override = {5};
  s.tensors[0].ne = {8, 2, 1, 1, 1};
  expect_error(s, "tensor 'a.weight' n_dims", "5 dimensions, ggml allows at most 4");
  s = small_spec();
  s.tensors[0].ne = {8, -2};
  expect_error(s, "tensor 'a.weight' ne[1]", "negative dimension -2");
  s = small_spec();
  s.tensors[0].ne = {int64_t{1} << 40, int64_t{1} << 40};
  expect_error(s, "tensor 'a.weight' shape", "overflows int64");
  s = small_spec();
  s.tensors[1].ne = {100, 2};
  expect_error(s, "tensor 'b.weight' type",
               "row length 100 is not a multiple of the TQ2_0 block size 256");
  s = small_spec();
  s.tensors[0].type = -1;
  expect_error(s, "tensor 'a.weight' type", "negative ggml type id -1");
  s = small_spec();
  s.tensors[0].ne = {int64_t{1} << 61};  // 2^61 F32 elements: 2^63 bytes, far past the file
  expect_error(s, "tensor 'a.weight' offset", "exceeds file size");
  s = small_spec();
  s.tensors[0].ne = {int64_t{1} << 61, 2};  // 2^62 elements * 4 bytes overflows uint64
  expect_error(s, "tensor 'a.weight' shape", "byte size overflows");
  // Zero-sized dimensions are allowed, as in gguf.cpp.
  s = small_spec();
  s.tensors[0].ne = {8, 0};
  EXPECT_EQ(File::from_bytes(s.build().bytes).tensor("a.weight").nbytes, 0u);
}

TEST(GgufBroken, TensorNames) {
  Spec s = small_spec();
  s.tensors[2].name = "a.weight";
  expect_error(s, "tensor 'a.weight' name", "duplicate tensor name (first used by tensor #0)");
  s = small_spec();
  s.tensors[0].name = std::string(64, 'x');
  expect_error(s, "tensor #0 name", "ggml allows at most 63");
}

TEST(GgufBroken, TensorOffsets) {
  Spec s = small_spec();
  s.tensors[1].offset = 48;  // multiple of 16, not of 32
  expect_error(s, "tensor 'b.weight' offset", "offset 48 is not a multiple of the alignment 32");
  s = small_spec();
  s.tensors[1].offset = 32;  // b [32, 164) overlaps a [0, 64)
  expect_error(s, "tensor 'b.weight' offset", "overlaps tensor 'a.weight'");
  s = small_spec();
  s.tensors[2].offset = 160;  // c [160, 168) lies inside b [64, 196)
  expect_error(s, "tensor 'c.weight' offset", "overlaps tensor 'b.weight'");
  s = small_spec();
  s.tensors[2].offset = uint64_t{1} << 20;
  expect_error(s, "tensor 'c.weight' offset", "beyond the file size");
  s = small_spec();
  s.tensors[2].offset = ~uint64_t{31};  // aligned, and start + size would overflow
  expect_error(s, "tensor 'c.weight' offset", "beyond the file size");
  s = small_spec();
  s.data_bytes = 100;  // b needs [64, 196)
  const Error e = parse_error(s.build().bytes);
  EXPECT_EQ(e.field(), "tensor 'b.weight' offset");
  // The full message: file, offset of b's `offset` field (name length u64 + 8 name bytes + u32
  // n_dims + 2 x i64 ne + i32 type after the record start), field, the byte range, file size.
  const File ok = File::from_bytes(small_spec().build().bytes);
  const uint64_t d0 = ok.data_offset();
  const uint64_t field_at = ok.tensor("b.weight").info_offset + 8 + 8 + 4 + 16 + 4;
  EXPECT_EQ(std::string(e.what()),
            "broken.gguf: offset " + std::to_string(field_at) +
                ": tensor 'b.weight' offset: data [" + std::to_string(d0 + 64) + ", " +
                std::to_string(d0 + 64 + 132) + ") exceeds file size " + std::to_string(d0 + 100));
  EXPECT_EQ(e.offset(), field_at);
}

TEST(GgufBroken, UnknownTypeOpensButDataThrows) {
  Spec s = small_spec();
  s.tensors[2].type = 99;
  const File f = File::from_bytes(s.build().bytes);
  const TensorInfo& c = f.tensor("c.weight");
  EXPECT_FALSE(c.known_type());
  EXPECT_EQ(c.nbytes, 0u);
  try {
    f.data(c);
    FAIL() << "data() of an unknown type must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "tensor 'c.weight' type");
    EXPECT_NE(std::string(e.what()).find("unknown ggml type id 99"), std::string::npos);
  }
  EXPECT_EQ(f.data(f.tensor("a.weight")).size(), 64u);
}

TEST(GgufBroken, TruncatedAtEverySectionBoundary) {
  const auto built = small_spec().build();
  const File full = File::from_bytes(built.bytes);
  const uint64_t data_end = full.data_offset() + 232;  // end of the last tensor's bytes
  for (size_t cut : built.boundaries) {
    if (cut >= data_end) continue;
    std::vector<uint8_t> part(built.bytes.begin(), built.bytes.begin() + cut);
    const Error e = parse_error(part);
    EXPECT_LE(e.offset(), cut) << e.what();
  }
}

TEST(GgufBroken, TruncatedAtEveryByte) {
  const auto bytes = small_spec().build().bytes;
  const File full = File::from_bytes(bytes);
  // Everything up to the last tensor's final byte is required; the trailing padding is not.
  const uint64_t data_end = full.data_offset() + 224 + 8;
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + cut);
    if (cut < data_end) {
      try {
        File::from_bytes(part, "cut.gguf");
        ADD_FAILURE() << "prefix of " << cut << " bytes parsed";
      } catch (const Error& e) {
        EXPECT_FALSE(e.field().empty());
        EXPECT_LE(e.offset(), cut) << e.what();
      }
    } else {
      EXPECT_NO_THROW(File::from_bytes(part)) << cut;
    }
  }
}

}  // namespace
}  // namespace bitnet::gguf
