// libFuzzer target for the tokenizer: any bytes must tokenize (SPM and byte-level BPE, with and
// without special-token parsing) without crashing, every id must be in the vocabulary, and the
// pieces must spell the input again. SPM: the prefix space added and spaces written as U+2581 on
// both sides, because SPM splits the escaped text, so a truncated UTF-8 sequence before a space
// swallows bytes of its U+2581, which then come back as byte tokens (llama.cpp does the same).
// BPE: as llama.cpp reads bytes (invalid UTF-8 as U+FFFD, overlong forms shortened). Build: the
// `fuzz` preset.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bitnet/tokenizer/tokenizer.h"

namespace {

using bitnet::tokenizer::Token;
using bitnet::tokenizer::Tokenizer;

const Tokenizer& vocab(int i) {
  static const Tokenizer spm =
      Tokenizer::load(BITNET_TEST_DATA_DIR "/tokenizer/ggml-vocab-llama-spm.gguf");
  static const Tokenizer gpt2 =
      Tokenizer::load(BITNET_TEST_DATA_DIR "/tokenizer/ggml-vocab-gpt-2.gguf");
  return i == 0 ? spm : gpt2;
}

// llama.cpp's reading of bytes as code points, re-encoded: invalid sequences become U+FFFD and
// overlong ones their shortest form.
std::string sanitized(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<uint8_t>(s[i]);
    const size_t n = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<uint8_t>(s[i + k]) & 0xC0) == 0x80;
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3F);
    i += n;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

std::string escaped(std::string_view s) {
  std::string out;
  for (char c : s) out += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int v = 0; v < 2; ++v) {
    const Tokenizer& tok = vocab(v);
    for (const bool special : {false, true}) {
      std::vector<Token> ids;
      try {
        ids = tok.tokenize(text, special, special);
      } catch (const std::invalid_argument&) {
        // BPE refuses a sequence above U+10FFFF (llama.cpp aborts); SPM spells it in bytes.
        if (v == 0) __builtin_trap();
        continue;
      }
      std::string joined;
      for (const Token t : ids) {
        if (t < 0 || t >= tok.n_tokens()) __builtin_trap();
        joined += tok.token_to_piece(t);
      }
      (void)tok.detokenize(ids);
      if (special) continue;  // parsed special tokens are not the text's bytes
      if (v == 0) {
        if (!text.empty() && escaped(joined) != escaped(" " + std::string(text))) __builtin_trap();
      } else if (joined != sanitized(text)) {
        __builtin_trap();
      }
    }
  }
  return 0;
}
