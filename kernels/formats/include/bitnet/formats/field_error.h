// The error every reader of a file-backed structure throws: names the file, the byte offset and
// the field (a key or a tensor). gguf::Error and the engine's model checks are this one type, so a
// caller catches one error whichever layer found the problem.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace bitnet {

class FieldError : public std::runtime_error {
 public:
  // what() is "<file>: offset <offset>: <field>: <what>".
  FieldError(std::string file, uint64_t offset, std::string field, std::string what);
  const std::string& file() const { return file_; }
  uint64_t offset() const { return offset_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  uint64_t offset_;
  std::string field_;
};

}  // namespace bitnet
