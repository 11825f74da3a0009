#include "activities/input.hpp"

#include "workflows/money.hpp"

namespace covenant::activities {

using nlohmann::json;

namespace {

const json& null_json() {
  static const json n;
  return n;
}

std::string join(std::initializer_list<std::string_view> allowed) {
  std::string s;
  for (auto a : allowed) s += (s.empty() ? "" : ", ") + std::string(a);
  return s;
}

}  // namespace

std::string shown(const json& v) {
  // Containers are described, not dumped: dumping recurses, and an input may nest deeply.
  if (v.is_null()) return "missing";
  if (v.is_array()) return "a list of " + std::to_string(v.size()) + " items";
  if (v.is_object()) {
    std::string keys;
    for (const auto& [k, _] : v.items()) {
      if (keys.size() > 40) {
        keys += ", …";
        break;
      }
      keys += (keys.empty() ? "" : ", ") + k;
    }
    return "an object {" + keys + "}";
  }
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return s.size() > 60 ? s.substr(0, 57) + "..." : s;
}

void Field::fail(const std::string& why) const { throw BadInput(path_ + " " + why); }

void Field::object() const {
  if (!v_->is_object()) fail("must be an object, not " + shown(*v_));
}

bool Field::has(const char* key) const {
  return v_->is_object() && v_->contains(key) && !(*v_)[key].is_null();
}

Field Field::at(const char* key) const {
  object();
  auto it = v_->find(key);
  return Field(it == v_->end() ? null_json() : *it, path_.empty() ? key : path_ + "." + key);
}

std::vector<Field> Field::items() const {
  if (!v_->is_array()) fail("must be a list, not " + shown(*v_));
  std::vector<Field> out;
  out.reserve(v_->size());
  for (std::size_t i = 0; i < v_->size(); ++i)
    out.emplace_back((*v_)[i], path_ + "[" + std::to_string(i) + "]");
  return out;
}

Field Field::term(const char* key) const {
  Field f = at(key);
  const json& v = f.raw();
  if (v.is_object() && v.contains("value") && v.contains("confidence")) return f.at("value");
  return f;
}

std::int64_t Field::integer(std::int64_t lo, std::int64_t hi) const {
  bool fits = v_->is_number_integer() &&
              !(v_->is_number_unsigned() && v_->get<std::uint64_t>() > std::uint64_t(INT64_MAX));
  std::int64_t x = fits ? v_->get<std::int64_t>() : 0;
  if (!fits || x < lo || x > hi)
    fail("must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
         ", not " + shown(*v_));
  return x;
}

std::int64_t Field::integer_or(const char* key, std::int64_t fallback, std::int64_t lo,
                               std::int64_t hi) const {
  return has(key) ? at(key).integer(lo, hi) : fallback;
}

std::string Field::text() const {
  if (!v_->is_string()) fail("must be a string, not " + shown(*v_));
  return v_->get<std::string>();
}

std::string Field::text_or(const char* key, const std::string& fallback) const {
  return has(key) ? at(key).text() : fallback;
}

std::string Field::one_of(std::initializer_list<std::string_view> allowed) const {
  if (v_->is_string())
    for (auto a : allowed)
      if (a == v_->get<std::string>()) return std::string(a);
  fail("must be one of " + join(allowed) + ", not " + shown(*v_));
}

std::string Field::one_of_or(const char* key, const std::string& fallback,
                             std::initializer_list<std::string_view> allowed) const {
  return has(key) ? at(key).one_of(allowed) : fallback;
}

dates::Day Field::date() const {
  auto d = v_->is_string() ? dates::parse(v_->get<std::string>()) : std::nullopt;
  if (!d) fail("must be a date (YYYY-MM-DD), not " + shown(*v_));
  return *d;
}

std::string Field::currency() const {
  if (!v_->is_string() || !money::is_currency(v_->get<std::string>()))
    fail("must be an ISO 4217 currency code (USD, EUR, JPY…), not " + shown(*v_));
  return v_->get<std::string>();
}

std::int64_t Field::amount_minor() const {
  bool fits = v_->is_number_integer() && !v_->is_number_float() &&
              !(v_->is_number_unsigned() && v_->get<std::uint64_t>() > std::uint64_t(INT64_MAX));
  if (!fits || v_->get<std::int64_t>() < 0)
    fail("must be a whole number of minor units from 0 to " + std::to_string(money::kLargest) +
         ", not " + shown(*v_));
  return v_->get<std::int64_t>();
}

std::int64_t checked_add(std::int64_t a, std::int64_t b, const std::string& what) {
  auto r = money::add(a, b);
  if (!r)
    throw BadInput(what + " passes the largest amount Covenant computes (" +
                   std::to_string(money::kLargest) + " minor units)");
  return *r;
}

std::int64_t checked_multiply(std::int64_t a, std::int64_t b, const std::string& what) {
  auto r = money::multiply(a, b);
  if (!r)
    throw BadInput(what + " passes the largest amount Covenant computes (" +
                   std::to_string(money::kLargest) + " minor units)");
  return *r;
}

}  // namespace covenant::activities
