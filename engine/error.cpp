#include "engine/error.hpp"

namespace covenant::engine {

const char* to_string(ErrorCode c) {
  switch (c) {
    case ErrorCode::InvalidArgument:
      return "InvalidArgument";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::Conflict:
      return "Conflict";
    case ErrorCode::PermissionDenied:
      return "PermissionDenied";
    case ErrorCode::FailedPrecondition:
      return "FailedPrecondition";
    case ErrorCode::Unavailable:
      return "Unavailable";
    case ErrorCode::Internal:
      return "Internal";
    case ErrorCode::ResourceExhausted:
      return "ResourceExhausted";
    case ErrorCode::Unauthenticated:
      return "Unauthenticated";
    case ErrorCode::Corrupted:
      return "Corrupted";
  }
  return "Internal";
}

}  // namespace covenant::engine
