// Errors as values across module boundaries (STYLE.md practice 10): a short list of codes,
// a message for people, and where (an entity id, a JSON pointer). Callers test the code,
// never the message. Plain values; thread-safe.
#pragma once

#include <tl/expected.hpp>

#include <string>

namespace covenant::engine {

enum class ErrorCode {
  InvalidArgument,     // the caller's input is wrong (bad JSON, unknown event, …)
  NotFound,            // no such definition, instance, task
  Conflict,            // lost an optimistic-concurrency race, or a duplicate
  PermissionDenied,    // not allowed (approvals)
  FailedPrecondition,  // the instance is not in a state that allows this
  Unavailable,         // retryable: the database is busy or unreachable
  Internal,            // a bug or an invariant broken
  Unauthenticated,     // the caller's credential does not (or no longer) authenticate
  Corrupted,           // the stored data is damaged or not Covenant's: not retryable; an
                       // operator restores or repairs it
  ResourceExhausted,   // a namespace's quota is used up (running instances, stored documents)
};

const char* to_string(ErrorCode c);

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::string where;
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message, std::string where = {}) {
  return tl::unexpected(Error{code, std::move(message), std::move(where)});
}

}  // namespace covenant::engine
