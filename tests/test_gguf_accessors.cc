// Typed metadata access: integer conversion when the value fits, clear errors otherwise.
#include <gtest/gtest.h>

#include "bitnet/gguf/gguf.h"
#include "gguf_test_util.h"

namespace bitnet::gguf {
namespace {

using test::TempDir;

File sample(const TempDir& dir) {
  Writer w(dir.file("s.gguf"));
  w.set_u32("u32.small", 200);
  w.set_u32("u32.big", 300);
  w.set("i64.neg", Value::of(int64_t{-5}));
  w.set_i32("i32.neg", -1);
  w.set("f64", Value::of(0.25));
  w.set_f32("f32", 0.5f);
  w.set_bool("flag", true);
  w.set_string("name", "tiny");
  w.set("u8s", Value::array(ValueType::kU8, {Value::of(uint8_t{1}), Value::of(uint8_t{2})}));
  w.set("u32s", Value::array(ValueType::kU32, {Value::of(7u), Value::of(3000000000u)}));
  w.set_string_array("strs", {"a", "b"});
  w.add_tensor("t", 0, {2});
  w.begin_data();
  const uint8_t zeros[8] = {};
  w.write(zeros);
  w.finish();
  return File::open(dir.file("s.gguf"));
}

Error get_error(auto&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return Error("", 0, "", "");
}

TEST(GgufAccessors, IntegersConvertWhenTheyFit) {
  TempDir dir;
  const File f = sample(dir);
  EXPECT_EQ(f.get<uint8_t>("u32.small"), 200);
  EXPECT_EQ(f.get<int64_t>("u32.big"), 300);
  EXPECT_EQ(f.get<int32_t>("i64.neg"), -5);
  EXPECT_EQ(f.get<int8_t>("i32.neg"), -1);
  const Error e = get_error([&] { (void)f.get<uint8_t>("u32.big"); });
  EXPECT_EQ(e.field(), "key 'u32.big'");
  EXPECT_NE(std::string(e.what()).find("value 300 of type u32 cannot be read as u8"),
            std::string::npos)
      << e.what();
  EXPECT_THROW((void)f.get<uint32_t>("i32.neg"), Error);
  EXPECT_THROW((void)f.get<uint64_t>("i64.neg"), Error);
}

TEST(GgufAccessors, OtherTypesMustMatch) {
  TempDir dir;
  const File f = sample(dir);
  EXPECT_EQ(f.get<std::string>("name"), "tiny");
  EXPECT_TRUE(f.get<bool>("flag"));
  EXPECT_EQ(f.get<float>("f32"), 0.5f);
  EXPECT_EQ(f.get<double>("f32"), 0.5);  // widening is exact
  EXPECT_EQ(f.get<double>("f64"), 0.25);
  EXPECT_THROW((void)f.get<float>("f64"), Error);
  EXPECT_THROW((void)f.get<bool>("u32.small"), Error);
  EXPECT_THROW((void)f.get<uint32_t>("flag"), Error);
  const Error e = get_error([&] { (void)f.get<std::string>("u32.small"); });
  EXPECT_NE(std::string(e.what()).find("of type u32 cannot be read as str"), std::string::npos);
}

TEST(GgufAccessors, MissingKeysAndFallbacks) {
  TempDir dir;
  const File f = sample(dir);
  const Error e = get_error([&] { (void)f.get<uint32_t>("nope"); });
  EXPECT_EQ(e.field(), "key 'nope'");
  EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos);
  EXPECT_EQ(f.get_or<uint32_t>("nope", 7), 7u);
  EXPECT_EQ(f.get_or<std::string>("name", "x"), "tiny");
  EXPECT_THROW((void)f.get_or<uint8_t>("u32.big", 1), Error);  // present but does not fit
  EXPECT_EQ(f.find("nope"), nullptr);
  ASSERT_NE(f.find("name"), nullptr);
  EXPECT_EQ(f.find("name")->type, ValueType::kString);
}

TEST(GgufAccessors, Arrays) {
  TempDir dir;
  const File f = sample(dir);
  EXPECT_EQ(f.get_string_array("strs"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.get_i32_array("u8s"), (std::vector<int32_t>{1, 2}));
  const Error e = get_error([&] { (void)f.get_i32_array("u32s"); });
  EXPECT_NE(std::string(e.what()).find("item 1"), std::string::npos) << e.what();
  EXPECT_THROW((void)f.get_f32_array("u8s"), Error);
  EXPECT_THROW((void)f.get_string_array("name"), Error);
  EXPECT_THROW((void)f.get_i32_array("strs"), Error);
}

TEST(GgufAccessors, TensorsAndFiles) {
  TempDir dir;
  File f = sample(dir);
  EXPECT_EQ(f.find_tensor("missing"), nullptr);
  EXPECT_THROW((void)f.tensor("missing"), Error);
  File moved = std::move(f);
  EXPECT_EQ(moved.data(moved.tensor("t")).size(), 8u);

  const Error e = get_error([&] { File::open(dir.file("does-not-exist.gguf")); });
  EXPECT_EQ(e.field(), "file");
  EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  const Error d = get_error([&] { File::open(dir.path().string()); });
  EXPECT_NE(std::string(d.what()).find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace bitnet::gguf
