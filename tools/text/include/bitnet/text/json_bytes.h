// Token pieces are bytes, not text: a byte-fallback token (<0xD0>) is half a character. JSON
// strings must be valid UTF-8, so bitnet-run prints each piece twice: as text with U+FFFD in place
// of every invalid sequence (for people) and as hex (the exact bytes, for programs).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bitnet::text {

bool is_valid_utf8(std::string_view bytes);
// Valid sequences copied; each byte that does not start a valid sequence becomes U+FFFD.
std::string utf8_with_replacement(std::string_view bytes);
// Lower-case hex, two digits per byte ("" for no bytes).
std::string to_hex(std::string_view bytes);
// The inverse of to_hex (either case); nullopt for odd length or a non-hex digit.
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace bitnet::text
