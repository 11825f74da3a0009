// A gate's summary: what an approver reads first (docs/approvals.md, "Summaries"). Declared in
// YAML on an approval state, checked by the validator against the gate's declared subject,
// and computed from the subject when the gate opens — so it shows nothing the digest does not
// cover. Pure functions; the caller supplies the jq evaluation.
#pragma once

#include "workflows/expressions.hpp"
#include "workflows/model.hpp"

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::workflows {

const char* to_string(FigureType t);
std::optional<FigureType> figure_type_from_string(std::string_view s);
// "money, date, duration, percent, party, link, text, number", for messages.
std::string figure_type_names();

// Why `v` cannot be shown as a `t`, or "" when it can:
//   money:    {"amount_minor": integer, "currency": three letters}
//   date:     "YYYY-MM-DD", a real calendar date
//   duration: an ISO 8601 duration ("P12M", "P30D", "PT4H")
//   percent:  a number, or a string holding a decimal number ("99.9")
//   party, text: a non-empty string
//   link:     an https:// or http:// URL, or a path on this server ("/ui/…")
//   number:   a number
std::string figure_value_problem(FigureType t, const nlohmann::json& v);

// Evaluates one jq program (without "${ }") on the subject.
using SummaryEval = TemplateEval;

// The summary computed from the subject:
//   {"title": "…",
//    "figures":     [{"label", "type", "value", "detail"?, "problem"?}],
//    "comparisons": [{"label", "type", "value", "against", "against_label", "matches",
//                     "problem"?}],
//    "writes":      [{"activity", "amount"?, "problem"?}],  one per authorized activity
//    "problems":    ["figure 'Total': missing", …]}
// A value that is missing, fails to evaluate or is not of its type is null with a `problem`
// saying why, never a guess; a comparison with a side missing has `matches: null`.
// `authorizes` is the gate's list: each activity gets a line under "writes", with the amount
// the summary declares for it (none when it declares none).
nlohmann::json summarize(const GateSummary& s, const std::vector<std::string>& authorizes,
                         const SummaryEval& eval);

}  // namespace covenant::workflows
