#include "bitnet/formats/field_error.h"

#include <utility>

namespace bitnet {

FieldError::FieldError(std::string file, uint64_t offset, std::string field, std::string what)
    : std::runtime_error(file + ": offset " + std::to_string(offset) + ": " + field + ": " + what),
      file_(std::move(file)),
      offset_(offset),
      field_(std::move(field)) {}

}  // namespace bitnet
