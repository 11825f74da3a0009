// application/x-www-form-urlencoded bodies and query strings with Stripe's bracket nesting
// (items[0][price]=p → {"items": [{"price": "p"}]}), parsed into JSON. Values stay strings.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace covenant::sandbox {

std::string url_decode(const std::string& s);
nlohmann::json parse_form(const std::string& body);

}  // namespace covenant::sandbox
