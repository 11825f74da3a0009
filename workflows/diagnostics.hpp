// Diagnostics: what the loader and validator report about a definition.
// A Diagnostic is a plain value: where (file:line:column), a stable code that tests and
// tools match on, and a message for people. Validation returns all of them, never just
// the first. Thread-safety: plain values, no shared state.
#pragma once

#include <string>
#include <vector>

namespace covenant::workflows {

// A position in a source file. line and column are 1-based; 0 means "unknown".
struct SourceSpan {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { Error, Warning };

// Stable diagnostic codes. They are part of the public interface (tests, `--format json`,
// editors): do not rename or reuse one; add new codes instead.
namespace codes {
inline constexpr const char* kYamlSyntax = "yaml-syntax";
inline constexpr const char* kUnknownField = "unknown-field";
inline constexpr const char* kMissingField = "missing-field";
inline constexpr const char* kWrongType = "wrong-type";
inline constexpr const char* kBadValue = "bad-value";
inline constexpr const char* kDuplicateKey = "duplicate-key";
inline constexpr const char* kConflictingFields = "conflicting-fields";
inline constexpr const char* kBadName = "bad-name";
inline constexpr const char* kDuplicateState = "duplicate-state";
inline constexpr const char* kUnknownState = "unknown-state";
inline constexpr const char* kUnreachableState = "unreachable-state";
inline constexpr const char* kNoTerminal = "no-terminal";
inline constexpr const char* kLoopWithoutWait = "loop-without-wait";
inline constexpr const char* kUnknownActivity = "unknown-activity";
inline constexpr const char* kUnknownInput = "unknown-input";
inline constexpr const char* kMissingInput = "missing-input";
inline constexpr const char* kBadDuration = "bad-duration";
inline constexpr const char* kBadExpression = "bad-expression";
inline constexpr const char* kBadPath = "bad-path";
inline constexpr const char* kQuorumTooLarge = "quorum-too-large";
inline constexpr const char* kUnapprovedWriteback = "unapproved-financial-writeback";
inline constexpr const char* kAuthorizesNonFinancial = "authorizes-non-financial";
inline constexpr const char* kFinancialCycle = "financial-write-repeated";
inline constexpr const char* kSubjectCoverage = "subject-does-not-cover-write";
inline constexpr const char* kSubjectUndeclared = "subject-not-declared";
inline constexpr const char* kConditionReadsUndeclared = "condition-reads-undeclared";
inline constexpr const char* kSummaryReadsUndeclared = "summary-reads-undeclared";
inline constexpr const char* kSummaryTypeMismatch = "summary-type-mismatch";
inline constexpr const char* kSummaryWriteNotAuthorized = "summary-write-not-authorized";
inline constexpr const char* kMaybeUnset = "may-be-unset";
inline constexpr const char* kBadInputValue = "bad-input-value";
inline constexpr const char* kIoError = "io-error";
inline constexpr const char* kBadEncoding = "bad-encoding";
inline constexpr const char* kTooLarge = "too-large";
}  // namespace codes

struct Diagnostic {
  SourceSpan span;
  std::string code;
  std::string message;
  Severity severity = Severity::Error;
};

using Diagnostics = std::vector<Diagnostic>;

// "file:line:col: message [code]" (warnings say "warning: " before the message).
std::string format(const Diagnostic& d);

// True when at least one diagnostic is an error (warnings do not count).
bool has_errors(const Diagnostics& ds);

// Sorts by file, line, column, then code, so output is stable whatever order checks ran in.
void sort(Diagnostics& ds);

}  // namespace covenant::workflows
