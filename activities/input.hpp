// Reading an activity's JSON input strictly. Every field is read through a `Field`, which knows
// its path ("products.lines[2].term_months"), checks the type, the range or the list of allowed
// values, and on anything else throws BadInput naming the path, what was expected and what was
// there. `refuse_bad_input` turns that into the activity's InvalidInput at its boundary, so a
// malformed input is always a clear refusal and never an "internal error".
#pragma once

#include "activities/dates.hpp"
#include "activities/runner.hpp"
#include "workflows/money.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace covenant::activities {

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Field {
 public:
  // A view: `value` must outlive the Field (a temporary may not be viewed).
  Field(const nlohmann::json& value, std::string path) : v_(&value), path_(std::move(path)) {}
  Field(const nlohmann::json&& value, std::string path) = delete;

  const std::string& path() const { return path_; }
  const nlohmann::json& raw() const { return *v_; }
  bool is_null() const { return v_->is_null(); }

  // Members and items. `at` on an object with no such member gives a null Field (read it with
  // the `_or` forms or `has` for optional fields); on anything but an object it throws.
  bool has(const char* key) const;  // present and not null
  Field at(const char* key) const;
  std::vector<Field> items() const;  // an array's items; throws on anything else
  // A field of extracted terms: its value also when a reviewer sent it back as extract.terms'
  // {value, confidence, evidence}.
  Field term(const char* key) const;

  void object() const;  // throws unless an object
  std::int64_t integer(std::int64_t lo, std::int64_t hi) const;
  std::int64_t integer_or(const char* key, std::int64_t fallback, std::int64_t lo,
                          std::int64_t hi) const;
  std::string text() const;  // a string (may be empty)
  std::string text_or(const char* key, const std::string& fallback) const;
  std::string one_of(std::initializer_list<std::string_view> allowed) const;
  std::string one_of_or(const char* key, const std::string& fallback,
                        std::initializer_list<std::string_view> allowed) const;
  dates::Day date() const;            // "YYYY-MM-DD", a real calendar day
  std::string currency() const;       // an active ISO 4217 code
  std::int64_t amount_minor() const;  // a whole number of minor units, 0 … 2^63−1

  [[noreturn]] void fail(const std::string& why) const;

 private:
  const nlohmann::json* v_;
  std::string path_;
};

// A JSON value as a person would recognise it in an error message, cut short.
std::string shown(const nlohmann::json& v);

// Runs `body`, turning BadInput into `activity`'s InvalidInput.
template <class F>
Outcome refuse_bad_input(const char* activity, F&& body) {
  try {
    return body();
  } catch (const BadInput& e) {
    return {false, nullptr, "InvalidInput", std::string(activity) + ": " + e.what(), false};
  }
}

// An amount that cannot leave 64-bit minor units without the caller knowing: each operation
// either fits or throws BadInput naming `what` and the limit.
std::int64_t checked_add(std::int64_t a, std::int64_t b, const std::string& what);
std::int64_t checked_multiply(std::int64_t a, std::int64_t b, const std::string& what);

}  // namespace covenant::activities
