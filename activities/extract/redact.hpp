// Personal data masked before contract text leaves the process for a model endpoint: names of
// people (after an honorific or a signature-block cue such as "Name:", "By:", "Attention:"),
// e-mail addresses, telephone numbers, postal addresses (street lines, P.O. boxes, state and
// ZIP), US social security numbers, tax ids (EIN, VAT and the like after their cue), payment
// card numbers (Luhn-checked), IBANs and bank account or routing numbers after their cue.
// Contracts carry these in notice clauses and signature blocks; the model needs none of them
// to read terms.
//
// Masking keeps every byte where it was: a span becomes a numbered placeholder such as
// "[person-1]" padded with '_' to the span's length (the same value gets the same
// placeholder), so a quote the model copies from the masked text is found at the same offsets
// in the original, and the evidence shown to reviewers is the original text. A placeholder the
// model copies into a value is mapped back with restore(). A span shorter than its
// placeholder becomes '#'s and cannot be mapped back (it is never longer than 9 bytes).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace covenant::activities::extract {

inline constexpr const char* kRedactionVersion = "redact-2";

struct Redacted {
  std::string text;                              // same length as the input
  std::map<std::string, int> counts;             // kind ("email", "person", …) -> spans masked
  std::map<std::string, std::string> originals;  // placeholder ("[person-1]") -> original
};

Redacted redact(const std::string& text);

// `value` with every placeholder of `r` (padded or bare) in its strings replaced by the
// original text.
nlohmann::json restore(const Redacted& r, const nlohmann::json& value);

}  // namespace covenant::activities::extract
