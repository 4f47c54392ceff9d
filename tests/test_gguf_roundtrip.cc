// Writer -> reader round trips: every value type (nested arrays too), streamed tensor bytes,
// alignment, and the writer's all-or-nothing file creation.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>

#include "bitnet/formats/types.h"
#include "bitnet/gguf/gguf.h"
#include "gguf_test_util.h"

namespace bitnet::gguf {
namespace {

using test::TempDir;

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 31 + (i >> 8));
  return v;
}

// One key per scalar type, with boundary values, plus arrays of each and nested arrays.
std::vector<std::pair<std::string, Value>> every_value() {
  std::vector<std::pair<std::string, Value>> kv = {
      {"t.u8", Value::of(uint8_t{255})},
      {"t.i8", Value::of(int8_t{-128})},
      {"t.u16", Value::of(uint16_t{65535})},
      {"t.i16", Value::of(int16_t{-32768})},
      {"t.u32", Value::of(uint32_t{4000000000u})},
      {"t.i32", Value::of(int32_t{-2000000000})},
      {"t.f32", Value::of(1.0e-5f)},
      {"t.f32.nan", Value::of(std::bit_cast<float>(0x7fc01234u))},
      {"t.bool.true", Value::of(true)},
      {"t.bool.false", Value::of(false)},
      {"t.str", Value::of("héllo \"world\"\n")},
      {"t.str.empty", Value::of("")},
      {"t.u64", Value::of(std::numeric_limits<uint64_t>::max())},
      {"t.i64", Value::of(std::numeric_limits<int64_t>::min())},
      {"t.f64", Value::of(-3.141592653589793)},
      {"t.f64.inf", Value::of(std::numeric_limits<double>::infinity())},
      {"t.arr.u8", Value::array(ValueType::kU8, {Value::of(uint8_t{0}), Value::of(uint8_t{9})})},
      {"t.arr.i8", Value::array(ValueType::kI8, {Value::of(int8_t{-1})})},
      {"t.arr.u16", Value::array(ValueType::kU16, {Value::of(uint16_t{7})})},
      {"t.arr.i16", Value::array(ValueType::kI16, {Value::of(int16_t{-7})})},
      {"t.arr.u32", Value::array(ValueType::kU32, {Value::of(uint32_t{1}), Value::of(2u)})},
      {"t.arr.i32", Value::array(ValueType::kI32, {Value::of(-1), Value::of(3)})},
      {"t.arr.f32", Value::array(ValueType::kF32, {Value::of(0.5f), Value::of(-0.0f)})},
      {"t.arr.bool", Value::array(ValueType::kBool, {Value::of(true), Value::of(false)})},
      {"t.arr.str",
       Value::array(ValueType::kString, {Value::of("a"), Value::of(""), Value::of("▁the")})},
      {"t.arr.u64", Value::array(ValueType::kU64, {Value::of(uint64_t{1} << 63)})},
      {"t.arr.i64", Value::array(ValueType::kI64, {Value::of(int64_t{-5})})},
      {"t.arr.f64", Value::array(ValueType::kF64, {Value::of(1e300)})},
      {"t.arr.empty", Value::array(ValueType::kF32, {})},
      // Nested: arr[arr[i32]] with ragged rows, and arr[arr[arr[str]]].
      {"t.arr.nested",
       Value::array(ValueType::kArray, {Value::array(ValueType::kI32, {Value::of(1), Value::of(2)}),
                                        Value::array(ValueType::kI32, {}),
                                        Value::array(ValueType::kI32, {Value::of(3)})})},
      {"t.arr.nested3",
       Value::array(ValueType::kArray,
                    {Value::array(ValueType::kArray,
                                  {Value::array(ValueType::kString, {Value::of("x")})})})},
  };
  return kv;
}

TEST(GgufRoundTrip, EveryValueTypeAndTensorsSurviveExactly) {
  TempDir dir;
  const std::string path = dir.file("all.gguf");
  const auto values = every_value();
  struct T {
    std::string name;
    uint32_t type;
    std::vector<int64_t> ne;
  };
  const std::vector<T> tensors = {
      {"token_embd.weight", 1, {256, 4}},     // F16
      {"blk.0.attn_q.weight", 35, {256, 3}},  // TQ2_0
      {"blk.0.attn_k.weight", 34, {256, 1}},  // TQ1_0
      {"blk.0.attn_v.weight", 36, {256, 2}},  // I2_S: n/4 + 32
      {"norm.weight", 0, {5}},                // F32, 20 bytes (padding after it)
      {"empty.weight", 0, {0, 3}},            // zero elements: gguf.cpp allows ne = 0
      {"scalar", 0, {}},                      // 0-d tensor: one element
  };
  std::vector<std::vector<uint8_t>> payloads;
  {
    Writer w(path);
    for (const auto& [k, v] : values) w.set(k, v);
    for (const auto& t : tensors) w.add_tensor(t.name, t.type, t.ne);
    w.begin_data();
    for (size_t i = 0; i < tensors.size(); ++i) {
      int64_t n = 1;
      for (auto d : tensors[i].ne) n *= d;
      const auto bytes =
          tensor_bytes(tensors[i].type, n, tensors[i].ne.empty() ? 1 : tensors[i].ne[0]);
      const size_t nb = n == 0 ? 0 : static_cast<size_t>(*bytes);
      payloads.push_back(pattern(nb, static_cast<uint8_t>(i)));
      // Stream in uneven chunks to exercise partial writes.
      std::span<const uint8_t> rest(payloads.back());
      size_t chunk = 1;
      while (!rest.empty()) {
        const size_t n_now = std::min(rest.size(), chunk);
        w.write(rest.first(n_now));
        rest = rest.subspan(n_now);
        chunk = chunk * 3 + 1;
      }
    }
    w.finish();
  }

  const File f = File::open(path);
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.data_offset() % 32, 0u);
  ASSERT_EQ(f.metadata().size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(f.metadata()[i].key, values[i].first);
    EXPECT_TRUE(f.metadata()[i].value == values[i].second) << values[i].first;
  }
  ASSERT_EQ(f.tensors().size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const TensorInfo& t = f.tensors()[i];
    EXPECT_EQ(t.name, tensors[i].name);
    EXPECT_EQ(t.type, tensors[i].type);
    EXPECT_EQ(t.ne, tensors[i].ne);
    EXPECT_EQ(t.offset % 32, 0u);
    const auto d = f.data(t);
    ASSERT_EQ(d.size(), payloads[i].size()) << t.name;
    EXPECT_TRUE(std::equal(d.begin(), d.end(), payloads[i].begin())) << t.name;
  }
  EXPECT_EQ(f.tensor("blk.0.attn_v.weight").nbytes, 256u * 2 / 4 + 32);
  EXPECT_EQ(f.tensor("scalar").nelements(), 1);

  // Reading from memory gives the same result as the mapping.
  const File m = File::from_bytes(f.bytes(), "copy");
  EXPECT_EQ(m.metadata().size(), f.metadata().size());
  EXPECT_EQ(m.data(m.tensor("norm.weight")).size(), 20u);
}

TEST(GgufRoundTrip, RewritingAFileReproducesItsBytes) {
  TempDir dir;
  const auto spec = test::small_spec().build();
  const File f = File::from_bytes(spec.bytes, "small");
  Writer w(dir.file("again.gguf"), static_cast<uint32_t>(f.alignment()));
  for (const auto& kv : f.metadata()) w.set(kv.key, kv.value);
  for (const auto& t : f.tensors()) w.add_tensor(t.name, t.type, t.ne);
  w.begin_data();
  for (const auto& t : f.tensors()) w.write(f.data(t));
  w.finish();
  const File g = File::open(dir.file("again.gguf"));
  // Header, metadata and infos are byte-identical; the spec fills padding with a pattern where
  // the writer writes zeros, so tensor bytes are compared tensor by tensor.
  ASSERT_EQ(g.file_size(), spec.bytes.size());
  ASSERT_EQ(g.data_offset(), f.data_offset());
  EXPECT_TRUE(
      std::equal(g.bytes().begin(), g.bytes().begin() + g.data_offset(), spec.bytes.begin()));
  for (const auto& t : f.tensors())
    EXPECT_TRUE(std::ranges::equal(g.data(g.tensor(t.name)), f.data(t)));
}

TEST(GgufRoundTrip, NonDefaultAlignmentIsRecordedAndHonoured) {
  TempDir dir;
  const std::string path = dir.file("a64.gguf");
  Writer w(path, 64);
  w.set_string("general.architecture", "bitnet");
  w.add_tensor("x", 0, {3});
  w.add_tensor("y", 0, {5});
  w.begin_data();
  const auto x = pattern(12, 1), y = pattern(20, 2);
  w.write(x);
  w.write(y);
  w.finish();
  const File f = File::open(path);
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.get<uint32_t>("general.alignment"), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
  EXPECT_EQ(f.tensor("y").offset, 64u);
  EXPECT_TRUE(std::ranges::equal(f.data(f.tensor("y")), y));
}

TEST(GgufRoundTrip, SetReplacesAKeyInPlace) {
  TempDir dir;
  Writer w(dir.file("r.gguf"));
  w.set_u32("a", 1);
  w.set_string("b", "x");
  w.set_f32_array("a", {1.5f});
  w.finish();
  const File f = File::open(dir.file("r.gguf"));
  ASSERT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.metadata()[0].key, "a");
  EXPECT_EQ(f.get_f32_array("a"), std::vector<float>{1.5f});
}

TEST(GgufWriter, NothingAppearsUnlessFinished) {
  TempDir dir;
  const std::string path = dir.file("partial.gguf");
  {
    Writer w(path);
    w.add_tensor("x", 0, {4});
    w.begin_data();
    w.write(pattern(8, 0));  // half of the tensor
    EXPECT_THROW(w.finish(), Error);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  // The destructor removed the temp file as well: the directory is empty.
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(GgufWriter, RejectsBadDeclarationsAndExtraBytes) {
  TempDir dir;
  Writer w(dir.file("bad.gguf"));
  EXPECT_THROW(w.set_u32("", 1), Error);
  EXPECT_THROW(w.set_u32(std::string("bad\xff", 4), 1), Error);
  EXPECT_THROW(w.set("k", Value{ValueType::kU32, int32_t{1}}), Error);  // tag/alternative mismatch
  EXPECT_THROW(w.set("k", Value::array(ValueType::kU32, {Value::of(1)})), Error);  // i32 in u32[]
  EXPECT_THROW(w.set_u32("general.alignment", 64), Error);  // differs from the writer's 32
  EXPECT_THROW(w.add_tensor("t", 99, {4}), Error);          // unknown type: size unknown
  EXPECT_THROW(w.add_tensor("t", 35, {100}), Error);        // not a whole TQ2_0 block
  EXPECT_THROW(w.add_tensor("t", 0, {1, 1, 1, 1, 1}), Error);
  EXPECT_THROW(w.add_tensor("t", 0, {-1}), Error);
  EXPECT_THROW(w.add_tensor(std::string(64, 'n'), 0, {1}), Error);
  w.add_tensor("t", 0, {1});
  EXPECT_THROW(w.add_tensor("t", 0, {1}), Error);
  w.begin_data();
  EXPECT_THROW(w.set_u32("late", 1), Error);
  try {
    w.write(pattern(5, 0));
    FAIL() << "5 bytes into a 4-byte tensor must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.field(), "write");
  }
  EXPECT_THROW(Writer(dir.file("x.gguf"), 3), Error);
  EXPECT_THROW(Writer(dir.file("x.gguf"), 0), Error);
}

TEST(GgufWriter, NestingDeeperThanTheReaderAcceptsIsRejected) {
  TempDir dir;
  Writer w(dir.file("deep.gguf"));
  Value v = Value::array(ValueType::kU8, {});
  for (int i = 0; i < 7; ++i) v = Value::array(ValueType::kArray, {v});
  w.set("ok", v);  // 8 levels: the limit
  v = Value::array(ValueType::kArray, {v});
  EXPECT_THROW(w.set("too.deep", v), Error);
  w.finish();
  EXPECT_TRUE(File::open(dir.file("deep.gguf")).find("ok")->is_array());
}

}  // namespace
}  // namespace bitnet::gguf
