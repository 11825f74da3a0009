#include "adapters/http/decimal.hpp"

#include "workflows/money.hpp"

#include <regex>
#include <vector>

namespace covenant::adapters::http {

namespace {

using nlohmann::json;

// A SAX handler building the document, keeping floats as their text.
class ExactBuilder {
 public:
  json root;
  bool null() { return add(nullptr); }
  bool boolean(bool b) { return add(b); }
  bool number_integer(json::number_integer_t v) { return add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return add(v); }
  bool number_float(json::number_float_t, const std::string& s) { return add(s); }
  bool string(std::string& s) { return add(s); }
  bool binary(json::binary_t&) { return false; }
  bool start_object(std::size_t) { return open(json::object()); }
  bool key(std::string& k) {
    key_ = k;
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }

 private:
  bool add(json v) {
    if (stack_.empty()) {
      root = std::move(v);
      return true;
    }
    json& top = *stack_.back();
    if (top.is_array())
      top.push_back(std::move(v));
    else
      top[key_] = std::move(v);
    return true;
  }
  bool open(json v) {
    if (stack_.empty()) {
      root = std::move(v);
      stack_.push_back(&root);
      return true;
    }
    json& top = *stack_.back();
    json* child;
    if (top.is_array()) {
      top.push_back(std::move(v));
      child = &top.back();
    } else {
      top[key_] = std::move(v);
      child = &top[key_];
    }
    stack_.push_back(child);
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  std::vector<json*> stack_;
  std::string key_;
};

}  // namespace

json parse_exact(const std::string& text) {
  ExactBuilder b;
  if (!json::sax_parse(text, &b)) return json(json::value_t::discarded);
  return b.root;
}

int minor_digits(const std::string& currency) {
  std::string c;
  for (char ch : currency) c += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return money::minor_units(c).value_or(2);
}

std::optional<std::int64_t> to_minor(const json& amount, int digits) {
  if (amount.is_number_integer()) {
    if (amount.is_number_unsigned() && amount.get<std::uint64_t>() > std::uint64_t(INT64_MAX))
      return std::nullopt;
    std::optional<std::int64_t> v = amount.get<std::int64_t>();
    for (int i = 0; i < digits && v; ++i) v = money::multiply(*v, 10);
    return v;  // nullopt past the largest amount: never wrapped around
  }
  if (!amount.is_string()) return std::nullopt;
  static const std::regex dec_re(R"(^(-?)(\d{1,15})(?:\.(\d+))?$)");
  std::smatch m;
  std::string s = amount.get<std::string>();
  if (!std::regex_match(s, m, dec_re)) return std::nullopt;
  std::string frac = m[3];
  while (frac.size() > static_cast<std::size_t>(digits) && frac.back() == '0') frac.pop_back();
  if (frac.size() > static_cast<std::size_t>(digits)) return std::nullopt;
  frac.append(static_cast<std::size_t>(digits) - frac.size(), '0');
  std::int64_t v = std::stoll(m[2].str() + frac);
  return m[1].str() == "-" ? -v : v;
}

}  // namespace covenant::adapters::http
