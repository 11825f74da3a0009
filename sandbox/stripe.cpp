#include "sandbox/stripe.hpp"

#include <cstdio>
#include <regex>
#include <set>

namespace covenant::sandbox {

namespace {

using nlohmann::json;

const std::set<std::string> kCurrencies = {"usd", "eur", "gbp", "jpy", "cad", "aud", "chf",
                                           "sek", "nok", "dkk", "nzd", "sgd", "inr", "brl"};

Answer error(int status, const std::string& type, const std::string& code, const std::string& param,
             const std::string& message) {
  json e = {{"type", type}, {"message", message}};
  if (!code.empty()) e["code"] = code;
  if (!param.empty()) e["param"] = param;
  return {status, {{"error", e}}};
}

Answer missing(const std::string& param) {
  return error(400, "invalid_request_error", "parameter_missing", param,
               "Missing required param: " + param + ".");
}

Answer no_such(const std::string& kind, const std::string& id, const std::string& param) {
  return error(param.empty() ? 404 : 400, "invalid_request_error", "resource_missing", param,
               "No such " + kind + ": '" + id + "'");
}

std::string new_stripe_id(RecordTx& tx, const std::string& prefix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(tx.next("stripe:" + prefix)));
  return prefix + "_sbx" + buf;
}

std::optional<std::int64_t> integer(const json& params, const char* name) {
  if (!params.contains(name) || !params[name].is_string()) return std::nullopt;
  const std::string& s = params[name].get_ref<const std::string&>();
  static const std::regex int_re(R"(^-?\d{1,18}$)");
  if (!std::regex_match(s, int_re)) return std::nullopt;
  return std::stoll(s);
}

json list(const json& data, bool has_more, const std::string& url) {
  return {{"object", "list"}, {"data", data}, {"has_more", has_more}, {"url", url}};
}

json metadata(const json& params) {
  return params.contains("metadata") && params["metadata"].is_object() ? params["metadata"]
                                                                       : json::object();
}

void save(RecordTx& tx, const std::string& kind, const json& body, const std::string& ext = "") {
  tx.put({"stripe", kind, body["id"], ext, body, 0});
}

Answer customers(const std::string& method, const std::smatch& m, const json& p, RecordTx& tx,
                 std::int64_t now) {
  if (method == "POST" && m[1].str().empty()) {
    json c = {
        {"id", new_stripe_id(tx, "cus")}, {"object", "customer"},
        {"name", p.value("name", "")},    {"email", p.contains("email") ? p["email"] : json()},
        {"metadata", metadata(p)},        {"created", now}};
    save(tx, "customer", c, c["metadata"].value("external_id", ""));
    return {200, c};
  }
  auto rec = tx.get("stripe", "customer", m[1]);
  if (!rec) return no_such("customer", m[1], "");
  json c = rec->body;
  if (method == "GET") return {200, c};
  for (const char* k : {"name", "email"})
    if (p.contains(k)) c[k] = p[k];
  json md = metadata(p);  // a named value: items() of a temporary would dangle
  for (const auto& [k, v] : md.items()) c["metadata"][k] = v;
  save(tx, "customer", c, c["metadata"].value("external_id", ""));
  return {200, c};
}

Answer search_customers(const json& p, RecordTx& tx) {
  static const std::regex q_re(R"(^metadata\['([A-Za-z0-9_]+)'\]:'([^']*)'$)");
  std::smatch m;
  std::string q = p.value("query", "");
  if (!std::regex_match(q, m, q_re))
    return error(400, "invalid_request_error", "", "query",
                 "The sandbox supports queries of the form metadata['key']:'value'.");
  json data = json::array();
  for (const auto& r : tx.list("stripe", "customer"))
    if (r.body["metadata"].value(m[1].str(), "") == m[2].str()) data.push_back(r.body);
  json out = list(data, false, "/v1/customers/search");
  out["object"] = "search_result";
  return {200, out};
}

Answer products(const std::string& method, const std::smatch& m, const json& p, RecordTx& tx,
                std::int64_t now) {
  if (method == "POST" && m[1].str().empty()) {
    if (!p.contains("name")) return missing("name");
    std::string id = p.contains("id") ? p["id"].get<std::string>() : new_stripe_id(tx, "prod");
    if (tx.get("stripe", "product", id))
      return error(400, "invalid_request_error", "resource_already_exists", "id",
                   "Product already exists.");
    json prod = {{"id", id},
                 {"object", "product"},
                 {"name", p["name"]},
                 {"active", true},
                 {"created", now},
                 {"description", p.contains("description") ? p["description"] : json()}};
    save(tx, "product", prod);
    return {200, prod};
  }
  auto rec = tx.get("stripe", "product", m[1]);
  if (!rec) return no_such("product", m[1], "");
  json prod = rec->body;
  if (method == "GET") return {200, prod};
  for (const char* k : {"name", "description"})
    if (p.contains(k)) prod[k] = p[k];
  save(tx, "product", prod);
  return {200, prod};
}

Answer prices(const std::string& method, const json& p, RecordTx& tx, std::int64_t now) {
  if (method == "GET") {
    json keys = p.contains("lookup_keys") ? p["lookup_keys"] : json::array();
    json data = json::array();
    for (const auto& r : tx.list("stripe", "price"))
      for (const auto& k : keys)
        if (r.body.value("lookup_key", json()) == k) data.push_back(r.body);
    return {200, list(data, false, "/v1/prices")};
  }
  for (const char* k : {"product", "currency", "unit_amount"})
    if (!p.contains(k)) return missing(k);
  if (!tx.get("stripe", "product", p["product"]))
    return no_such("product", p["product"], "product");
  if (!kCurrencies.count(p["currency"]))
    return error(400, "invalid_request_error", "", "currency",
                 "Invalid currency: " + p["currency"].get<std::string>() + ".");
  auto amount = integer(p, "unit_amount");
  if (!amount || *amount < 0)
    return error(400, "invalid_request_error", "", "unit_amount", "Invalid non-negative integer");
  json price = {{"id", new_stripe_id(tx, "price")},
                {"object", "price"},
                {"product", p["product"]},
                {"currency", p["currency"]},
                {"unit_amount", *amount},
                {"active", true},
                {"lookup_key", p.contains("lookup_key") ? p["lookup_key"] : json()},
                {"recurring", p.contains("recurring") ? p["recurring"] : json()},
                {"created", now}};
  if (p.contains("lookup_key") && p.value("transfer_lookup_key", "") == "true")
    for (auto r : tx.list("stripe", "price"))
      if (r.body.value("lookup_key", json()) == p["lookup_key"]) {
        r.body["lookup_key"] = nullptr;
        tx.put(r);
      }
  save(tx, "price", price);
  return {200, price};
}

Answer subscriptions(const json& p, RecordTx& tx, std::int64_t now, bool schedule) {
  if (!p.contains("customer")) return missing("customer");
  if (!tx.get("stripe", "customer", p["customer"]))
    return no_such("customer", p["customer"], "customer");
  json items = json::array();
  json phases = schedule ? p.value("phases", json::array())
                         : json::array({{{"items", p.value("items", json::array())}}});
  if (phases.empty()) return missing(schedule ? "phases" : "items");
  for (const auto& ph : phases)
    for (const auto& it : ph.value("items", json::array())) {
      if (!it.contains("price")) return missing("items[0][price]");
      if (!tx.get("stripe", "price", it["price"])) return no_such("price", it["price"], "items");
      json qty = it.contains("quantity") ? it : json{{"quantity", "1"}};
      auto quantity = integer(qty, "quantity");
      if (!quantity || *quantity < 1)
        return error(400, "invalid_request_error", "", "items[0][quantity]",
                     "Invalid positive integer");
      json item = {{"price", it["price"]}, {"quantity", *quantity}};
      if (!schedule) item["id"] = new_stripe_id(tx, "si");
      items.push_back(item);
    }
  if (items.empty()) return missing("items");
  json s = {{"id", new_stripe_id(tx, schedule ? "sub_sched" : "sub")},
            {"object", schedule ? "subscription_schedule" : "subscription"},
            {"customer", p["customer"]},
            {"status", schedule ? "not_started" : "active"},
            {"items", {{"object", "list"}, {"data", items}}},
            {"metadata", metadata(p)},
            {"collection_method", p.value("collection_method", "charge_automatically")},
            {"created", now}};
  if (schedule) s["phases"] = phases;
  save(tx, schedule ? "subscription_schedule" : "subscription", s);
  return {200, s};
}

// GET or POST /v1/subscriptions/{id}: read it, or change its items' prices and quantities
// (items[n][id] names an item; an item without one is added).
Answer subscription(const std::string& method, const std::string& id, const json& p, RecordTx& tx) {
  auto rec = tx.get("stripe", "subscription", id);
  if (!rec) return no_such("subscription", id, "");
  json s = rec->body;
  if (method == "GET") return {200, s};
  if (method != "POST") return error(405, "invalid_request_error", "", "", "Method not allowed.");
  json& data = s["items"]["data"];
  for (const auto& it : p.value("items", json::array())) {
    if (!it.is_object()) return missing("items[0][price]");
    if (it.contains("price") && !tx.get("stripe", "price", it["price"]))
      return no_such("price", it["price"], "items");
    json qty = it.contains("quantity") ? it : json{{"quantity", "1"}};
    auto quantity = integer(qty, "quantity");
    if (!quantity || *quantity < 1)
      return error(400, "invalid_request_error", "", "items[0][quantity]",
                   "Invalid positive integer");
    if (it.contains("id")) {
      bool found = false;
      for (auto& d : data)
        if (d["id"] == it["id"]) {
          found = true;
          if (it.contains("price")) d["price"] = it["price"];
          d["quantity"] = *quantity;
        }
      if (!found) return no_such("subscription_item", it["id"], "items");
    } else {
      if (!it.contains("price")) return missing("items[0][price]");
      data.push_back(
          {{"id", new_stripe_id(tx, "si")}, {"price", it["price"]}, {"quantity", *quantity}});
    }
  }
  if (p.contains("proration_behavior")) s["proration_behavior"] = p["proration_behavior"];
  save(tx, "subscription", s);
  return {200, s};
}

void total(json& inv) {
  std::int64_t t = 0;
  for (const auto& l : inv["lines"]["data"]) t += l.value("amount", std::int64_t{0});
  inv["subtotal"] = inv["total"] = inv["amount_due"] = t;
  inv["lines"]["total_count"] = inv["lines"]["data"].size();
}

Answer invoices(const std::string& method, const std::smatch& m, const json& p, RecordTx& tx,
                std::int64_t now) {
  std::string id = m[1];
  if (method == "GET" && id.empty()) {
    json data = json::array();
    std::string after = p.value("starting_after", "");
    bool skipping = !after.empty();
    json created =
        p.contains("created") && p["created"].is_object() ? p["created"] : json::object();
    auto gte_value =
        created.contains("gte") ? integer(created, "gte") : std::optional<std::int64_t>(0);
    auto limit_value = p.contains("limit") ? integer(p, "limit") : std::optional<std::int64_t>(10);
    if (!gte_value)
      return error(400, "invalid_request_error", "", "created[gte]", "Invalid integer");
    if (!limit_value || *limit_value < 1 || *limit_value > 100)
      return error(400, "invalid_request_error", "", "limit",
                   "This value must be between 1 and 100.");
    std::int64_t gte = *gte_value;
    std::size_t limit = static_cast<std::size_t>(*limit_value);
    bool more = false;
    for (const auto& r : tx.list("stripe", "invoice")) {
      if (skipping) {
        skipping = r.id != after;
        continue;
      }
      if (p.contains("customer") && r.body["customer"] != p["customer"]) continue;
      if (r.body.value("created", std::int64_t{0}) < gte) continue;
      if (data.size() == limit) {
        more = true;
        break;
      }
      data.push_back(r.body);
    }
    return {200, list(data, more, "/v1/invoices")};
  }
  if (method == "POST" && id.empty()) {
    if (!p.contains("customer")) return missing("customer");
    if (!tx.get("stripe", "customer", p["customer"]))
      return no_such("customer", p["customer"], "customer");
    std::string currency = p.value("currency", "usd");
    if (!kCurrencies.count(currency))
      return error(400, "invalid_request_error", "", "currency",
                   "Invalid currency: " + currency + ".");
    if (p.value("collection_method", "") == "send_invoice" && !p.contains("due_date") &&
        !p.contains("days_until_due"))
      return error(400, "invalid_request_error", "", "days_until_due",
                   "Missing required param: days_until_due or due_date when collection_method is "
                   "send_invoice.");
    json inv = {{"id", new_stripe_id(tx, "in")},
                {"object", "invoice"},
                {"customer", p["customer"]},
                {"currency", currency},
                {"status", "draft"},
                {"number", nullptr},
                {"collection_method", p.value("collection_method", "charge_automatically")},
                {"description", p.contains("description") ? p["description"] : json()},
                {"metadata", metadata(p)},
                {"created", now},
                {"lines", {{"object", "list"}, {"data", json::array()}}}};
    if (auto due = integer(p, "due_date")) inv["due_date"] = *due;
    if (auto days = integer(p, "days_until_due")) inv["due_date"] = now + *days * 86400;
    total(inv);
    save(tx, "invoice", inv);
    return {200, inv};
  }
  auto rec = tx.get("stripe", "invoice", id);
  if (!rec) return no_such("invoice", id, "");
  json inv = rec->body;
  if (method == "GET" && m[2].str().empty()) return {200, inv};
  if (method == "POST" && m[2] == "/finalize") {
    if (inv["status"] != "draft")
      return error(400, "invalid_request_error", "invoice_not_editable", "",
                   "This invoice is already finalized, you can't re-finalize a non-draft invoice.");
    if (inv["lines"]["data"].empty())
      return error(400, "invalid_request_error", "invoice_no_line_items", "",
                   "Nothing to invoice: this invoice has no line items.");
    char number[32];
    std::snprintf(number, sizeof number, "SBX-%04lld",
                  static_cast<long long>(tx.next("stripe:invoice-number")));
    inv["status"] = "open";
    inv["number"] = number;
    inv["status_transitions"] = {{"finalized_at", now}};
    save(tx, "invoice", inv);
    return {200, inv};
  }
  return error(404, "invalid_request_error", "", "", "Unrecognized request URL.");
}

Answer invoice_items(const json& p, RecordTx& tx, std::int64_t now) {
  for (const char* k : {"customer", "currency", "amount"})
    if (!p.contains(k)) return missing(k);
  if (!tx.get("stripe", "customer", p["customer"]))
    return no_such("customer", p["customer"], "customer");
  auto amount = integer(p, "amount");
  if (!amount)
    return error(400, "invalid_request_error", "", "amount",
                 "Invalid integer: " + p["amount"].get<std::string>());
  if (!kCurrencies.count(p["currency"]))
    return error(400, "invalid_request_error", "", "currency",
                 "Invalid currency: " + p["currency"].get<std::string>() + ".");
  json item = {{"id", new_stripe_id(tx, "ii")},
               {"object", "invoiceitem"},
               {"customer", p["customer"]},
               {"amount", *amount},
               {"currency", p["currency"]},
               {"description", p.value("description", "")},
               {"invoice", p.contains("invoice") ? p["invoice"] : json()},
               {"date", now}};
  if (p.contains("invoice")) {
    auto rec = tx.get("stripe", "invoice", p["invoice"]);
    if (!rec) return no_such("invoice", p["invoice"], "invoice");
    json inv = rec->body;
    if (inv["status"] != "draft")
      return error(400, "invalid_request_error", "invoice_not_editable", "invoice",
                   "You can only add invoice items to draft invoices.");
    if (inv["currency"] != p["currency"])
      return error(400, "invalid_request_error", "", "currency",
                   "The currency of the invoice item does not match the invoice's currency.");
    inv["lines"]["data"].push_back({{"id", "il_" + item["id"].get<std::string>()},
                                    {"object", "line_item"},
                                    {"amount", *amount},
                                    {"currency", p["currency"]},
                                    {"description", item["description"]},
                                    {"invoice_item", item["id"]}});
    total(inv);
    save(tx, "invoice", inv);
  }
  save(tx, "invoiceitem", item);
  return {200, item};
}

Answer credit_notes(const json& p, RecordTx& tx, std::int64_t now) {
  for (const char* k : {"invoice", "amount"})
    if (!p.contains(k)) return missing(k);
  auto rec = tx.get("stripe", "invoice", p["invoice"]);
  if (!rec) return no_such("invoice", p["invoice"], "invoice");
  if (rec->body["status"] != "open" && rec->body["status"] != "paid")
    return error(400, "invalid_request_error", "", "invoice",
                 "Credit notes can only be issued on finalized invoices.");
  static const std::set<std::string> reasons = {"duplicate", "fraudulent", "order_change",
                                                "product_unsatisfactory"};
  if (p.contains("reason") && !reasons.count(p["reason"]))
    return error(400, "invalid_request_error", "", "reason",
                 "Invalid reason: must be one of duplicate, fraudulent, order_change, or "
                 "product_unsatisfactory");
  auto amount = integer(p, "amount");
  std::int64_t credited = 0;
  for (const auto& r : tx.list("stripe", "credit_note"))
    if (r.body["invoice"] == p["invoice"]) credited += r.body.value("amount", std::int64_t{0});
  if (!amount || *amount <= 0 || credited + *amount > rec->body.value("total", std::int64_t{0}))
    return error(400, "invalid_request_error", "", "amount",
                 "The sum of credit amounts exceeds the invoice total.");
  json cn = {{"id", new_stripe_id(tx, "cn")},
             {"object", "credit_note"},
             {"invoice", p["invoice"]},
             {"amount", *amount},
             {"currency", rec->body["currency"]},
             {"reason", p.value("reason", "")},
             {"status", "issued"},
             {"created", now}};
  save(tx, "credit_note", cn);
  return {200, cn};
}

}  // namespace

Answer stripe(const std::string& method, const std::string& path, const json& p, RecordTx& tx,
              std::int64_t now) {
  static const std::regex customers_re(R"(^/v1/customers(?:/([A-Za-z0-9_]+))?$)");
  static const std::regex products_re(R"(^/v1/products(?:/([A-Za-z0-9_.-]+))?$)");
  static const std::regex invoices_re(R"(^/v1/invoices(?:/([A-Za-z0-9_]+)(/finalize)?)?$)");
  std::smatch m;
  if (path == "/v1/customers/search" && method == "GET") return search_customers(p, tx);
  if (std::regex_match(path, m, customers_re)) return customers(method, m, p, tx, now);
  if (std::regex_match(path, m, products_re)) return products(method, m, p, tx, now);
  if (path == "/v1/prices") return prices(method, p, tx, now);
  if (path == "/v1/subscriptions" && method == "POST") return subscriptions(p, tx, now, false);
  static const std::regex subscription_re(R"(^/v1/subscriptions/([A-Za-z0-9_]+)$)");
  if (std::regex_match(path, m, subscription_re)) return subscription(method, m[1], p, tx);
  if (path == "/v1/subscription_schedules" && method == "POST")
    return subscriptions(p, tx, now, true);
  if (std::regex_match(path, m, invoices_re)) return invoices(method, m, p, tx, now);
  if (path == "/v1/invoiceitems" && method == "POST") return invoice_items(p, tx, now);
  if (path == "/v1/credit_notes" && method == "POST") return credit_notes(p, tx, now);
  return error(404, "invalid_request_error", "", "",
               "Unrecognized request URL (" + method + ": " + path + ").");
}

}  // namespace covenant::sandbox
