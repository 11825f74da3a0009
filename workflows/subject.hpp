// Declared gate subjects: the field types, and the check that a computed subject conforms
// to its declaration before any approver sees it. A subject that does not conform never
// opens the gate (docs/approvals.md, "Subjects"). Pure functions.
#pragma once

#include "workflows/model.hpp"
#include "workflows/read_paths.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::workflows {

const char* to_string(SubjectType t);
std::optional<SubjectType> subject_type_from_string(std::string_view s);

// One way a subject fails its declaration: the field and what is wrong, for RevOps.
struct SubjectProblem {
  std::string field;
  std::string problem;  // "missing (a required money)", "not a date: \"next week\""
};

// Why `v` is not a value of type `t` ("not a date (YYYY-MM-DD): \"next week\""), or "" when
// it is; a required string must not be empty.
std::string subject_value_problem(SubjectType t, const nlohmann::json& v, bool required);

// A value as JSON for a message, cut after 60 characters.
std::string shown_value(const nlohmann::json& v);

// Each field's value checked against its declaration: required fields present (not null),
// present values of the declared type. `subject` is the object of field values.
//   money:   {"amount_minor": integer, "currency": three letters}
//   date:    "YYYY-MM-DD", a real calendar date
//   string:  a string (a required one is not empty)
//   id:      a non-empty string without spaces or control characters
//   integer: a whole number;  boolean: true or false
//   list:    an array;        object: an object
std::vector<SubjectProblem> check_subject(const std::vector<SubjectField>& fields,
                                          const nlohmann::json& subject);

// The paths of the instance's data a subject shows whole: each field whose `from` is a plain
// path (".plan.total"). A computed field (`.lines | map(.amount_minor) | add`) is approved as
// a value but shows no path whole, so it covers nothing a task sends.
std::vector<ReadPath> subject_covers(const ApprovalState& gate);

// Whether a condition on the subject may read `path`: its first step names a declared field,
// and a money field is read only as .amount_minor or .currency, a scalar field not below
// itself. Returns the reason when it may not.
std::optional<std::string> subject_read_problem(const std::vector<SubjectField>& fields,
                                                const ReadPath& path);

}  // namespace covenant::workflows
