// Our own value validators for command-line options: the messages name the option and the
// value, as the tools' tests and docs expect. They throw UsageError (exit 2).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace bitnet::cli {

// The whole text as a number, else "<flag>: expected a number, got "<text>"".
double parse_number(const std::string& flag, const std::string& text);

// The whole text as an integer in [lo, hi], else "<flag>: expected an integer in [lo, hi], got
// '<text>'".
int64_t parse_int(const std::string& flag, const std::string& text, int64_t lo, int64_t hi);

// Comma-separated integers in [lo, hi] ("1,2,4"); at least one.
std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text, int64_t lo,
                                    int64_t hi);

// `text` if it is one of `choices`, else "<flag>: expected a, b or c, got '<text>'".
const std::string& parse_choice(const std::string& flag, const std::string& text,
                                std::initializer_list<const char*> choices);

}  // namespace bitnet::cli
