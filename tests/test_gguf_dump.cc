// The text/JSON summaries behind `bitnet-gguf info`: escaping, array summaries, float text.
#include <gtest/gtest.h>

#include <limits>

#include "bitnet/gguf/dump.h"
#include "bitnet/gguf/gguf.h"

namespace bitnet::gguf {
namespace {

TEST(GgufDump, FormatsScalarsStringsAndArrays) {
  EXPECT_EQ(format_value(Value::of("a\"b\\c\n\x01")), "\"a\\\"b\\\\c\\n\\x01\"");
  EXPECT_EQ(format_value(Value::of(1e-5f)), "1e-05");
  EXPECT_EQ(format_value(Value::of(true)), "true");
  EXPECT_EQ(format_value(Value::of(int64_t{-7})), "-7");
  std::vector<Value> items;
  for (int i = 0; i < 10; ++i) items.push_back(Value::of(i));
  const Value arr = Value::array(ValueType::kI32, items);
  EXPECT_EQ(format_value(arr, 3), "[0, 1, 2, ... (7 more)]");
  EXPECT_EQ(format_value(arr, 0), "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]");
  EXPECT_EQ(format_type(arr), "arr[i32,10]");
  const Value nested =
      Value::array(ValueType::kArray, {Value::array(ValueType::kString, {Value::of("x")})});
  EXPECT_EQ(format_value(nested), "[[\"x\"]]");
  EXPECT_EQ(format_type(nested), "arr[arr,1]");
  EXPECT_EQ(tensor_type_name(35), "TQ2_0");
  EXPECT_EQ(tensor_type_name(36), "I2_S");
  EXPECT_EQ(tensor_type_name(99), "unknown(99)");
}

TEST(GgufDump, JsonSummarisesLongArraysAndNonFiniteFloats) {
  std::vector<Value> items;
  for (int i = 0; i < 10; ++i) items.push_back(Value::of(std::to_string(i)));
  const auto j = value_to_json(Value::array(ValueType::kString, items), 2);
  EXPECT_EQ(j["type"], "str");
  EXPECT_EQ(j["count"], 10);
  EXPECT_EQ(j["head"].size(), 2u);
  EXPECT_EQ(j["head"][1], "1");
  EXPECT_EQ(value_to_json(Value::array(ValueType::kString, items), 0).size(), 10u);
  EXPECT_EQ(value_to_json(Value::of(1e-5f)).dump(), "1e-05");
  EXPECT_TRUE(value_to_json(Value::of(std::numeric_limits<float>::quiet_NaN())).is_null());
  EXPECT_TRUE(value_to_json(Value::of(std::numeric_limits<double>::infinity())).is_null());
}

}  // namespace
}  // namespace bitnet::gguf
