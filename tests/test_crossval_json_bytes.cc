// bitnet-run --json with byte-fallback tokens: valid JSON whatever the bytes, exact bytes in hex,
// and bitnet-compare's parser getting the raw pieces back.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "bitnet/compare/crossval.h"
#include "bitnet/compare/peer_output.h"
#include "bitnet/text/json_bytes.h"

namespace bitnet {
namespace {

TEST(JsonBytes, ReplacesOnlyInvalidSequences) {
  EXPECT_TRUE(text::is_valid_utf8("plain ascii"));
  EXPECT_TRUE(text::is_valid_utf8("\xD0\xB0"));           // а
  EXPECT_FALSE(text::is_valid_utf8("\xD0"));              // half of it: a lone <0xD0> token
  EXPECT_FALSE(text::is_valid_utf8("\xAA"));              // a lone continuation byte
  EXPECT_FALSE(text::is_valid_utf8("\xC0\x80"));          // overlong NUL
  EXPECT_FALSE(text::is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(text::is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(text::utf8_with_replacement("a\xD0"
                                        "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(text::utf8_with_replacement("\xD0\xB0\xAA"), "\xD0\xB0\xEF\xBF\xBD");
  EXPECT_EQ(text::utf8_with_replacement("\xE2\x96"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(text::to_hex(std::string("\x00\xD0z", 3)), "00d07a");
  EXPECT_EQ(*text::from_hex("00D07a"), std::string("\x00\xD0z", 3));
  EXPECT_FALSE(text::from_hex("abc").has_value());
  EXPECT_FALSE(text::from_hex("zz").has_value());
}

TEST(JsonBytes, ParserPrefersTheExactBytes) {
  nlohmann::json j = {
      {"generated", {3, 4}}, {"pieces", {"\xEF\xBF\xBD", "x"}}, {"pieces_hex", {"d0", "78"}}};
  const auto o = compare::parse_bitnet_run_json(j.dump());
  ASSERT_EQ(o.pieces.size(), 2u);
  EXPECT_EQ(o.pieces[0], "\xD0");
  EXPECT_EQ(o.pieces[1], "x");
  j["pieces_hex"] = {"d0"};
  EXPECT_THROW(compare::parse_bitnet_run_json(j.dump()), compare::ParseError);
  j["pieces_hex"] = {"d0", "q"};
  EXPECT_THROW(compare::parse_bitnet_run_json(j.dump()), compare::ParseError);
}

TEST(JsonBytes, CrossvalReportIsValidJsonForByteText) {
  compare::CrossvalReport r;
  r.text.ours_text = "\xE0 u";
  r.text.peer_text = "\xE0 u\n\n";
  const std::string dumped = r.to_json().dump();  // throws on invalid UTF-8
  const auto j = nlohmann::json::parse(dumped);
  EXPECT_EQ(j["ours_text"], "\xEF\xBF\xBD u");
  EXPECT_EQ(j["ours_text_hex"], "e02075");
  EXPECT_EQ(*text::from_hex(j["peer_text_hex"].get<std::string>()), r.text.peer_text);
}

std::string run(const std::string& cmd, int* status) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) out.append(buf, n);
  *status = pclose(p.release());
  return out;
}

// The synthetic tiny model's byte tokens: prompt [1] makes it emit a lone 0xAA first.
TEST(JsonBytes, BitnetRunPrintsValidJsonForByteTokens) {
  int status = 0;
  const std::string out =
      run(std::string(BITNET_RUN_BIN) + " -m synthetic:tiny:tq2_0 -p 1 -n 4 --json", &status);
  ASSERT_EQ(status, 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);  // throws on invalid UTF-8
  ASSERT_TRUE(j.contains("pieces_hex"));
  const std::string raw = *text::from_hex(j["text_hex"].get<std::string>());
  EXPECT_FALSE(j["text_is_utf8"].get<bool>()) << "expected a byte token in " << j["text_hex"];
  EXPECT_EQ(j["text"].get<std::string>(), text::utf8_with_replacement(raw));
  EXPECT_NE(j["text"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);
  std::string joined;
  for (const auto& h : j["pieces_hex"]) joined += *text::from_hex(h.get<std::string>());
  EXPECT_EQ(joined, raw);
  const auto o = compare::parse_bitnet_run_json(out);
  EXPECT_EQ(o.generated.size(), 4u);
  ASSERT_EQ(o.pieces.size(), 4u);
  EXPECT_EQ(o.pieces[0], raw.substr(0, o.pieces[0].size()));
}

}  // namespace
}  // namespace bitnet
