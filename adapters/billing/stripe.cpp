#include "adapters/billing/stripe.hpp"

#include "adapters/http/input.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace covenant::adapters::billing {

namespace {

http::Error bad_input(const std::string& what) { return http::bad_input("stripe", what); }

http::Result<std::string> text(const json& in, const char* name, bool required = true) {
  return http::text_field(in, name, "stripe", required);
}

using http::Error;
using http::Failure;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

// Stripe's error object → a sorted Error with Stripe's own message.
Error classify(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const auto& err = j["error"];
    e.code = err.value("code", err.value("type", ""));
    e.message = "stripe: " + err.value("message", "error " + std::to_string(r.status));
    if (e.code == "resource_already_exists") e.kind = Failure::AlreadyDone;
  }
  return e;
}

void put_metadata(std::vector<std::pair<std::string, std::string>>& f, const json& in) {
  if (!in.contains("metadata") || !in["metadata"].is_object()) return;
  for (const auto& [k, v] : in["metadata"].items())
    f.emplace_back("metadata[" + k + "]", v.is_string() ? v.get<std::string>() : v.dump());
}

json invoice_view(const json& inv) {
  json lines = json::array();
  if (inv.contains("lines") && inv["lines"].contains("data"))
    for (const auto& l : inv["lines"]["data"])
      lines.push_back({{"id", l.value("id", "")},
                       {"amount_minor", l.value("amount", 0)},
                       {"description", l.value("description", "")}});
  return {{"system", "stripe"},
          {"id", inv.value("id", "")},
          {"status", inv.value("status", "")},
          {"customer", inv.value("customer", "")},
          {"currency", inv.value("currency", "")},
          {"total_minor", inv.value("total", 0)},
          {"number", inv.value("number", json())},
          {"lines", lines}};
}

}  // namespace

http::Result<json> Stripe::call(const std::string& method, const std::string& path, const Fields& f,
                                const std::string& idempotency_key) {
  http::Request r;
  r.method = method;
  r.path = path;
  if (method == "GET") {
    if (!f.empty())
      r.path += (path.find('?') == std::string::npos ? "?" : "&") + http::form_encode(f);
  } else {
    r.body = http::form_encode(f);
    r.content_type = "application/x-www-form-urlencoded";
  }
  if (!idempotency_key.empty()) r.headers.emplace_back("Idempotency-Key", idempotency_key);
  r.headers.emplace_back("Stripe-Version", "2024-06-20");
  auto res = http_->send(r, [this](const http::Response& resp) { return classify(*http_, resp); });
  if (!res) return tl::unexpected(res.error());
  auto j = http::parse_answer(res->body);
  if (j.is_discarded() || !j.is_object())
    return tl::unexpected(
        Error{Failure::Transient, "stripe: an answer that is not JSON", res->status, ""});
  return j;
}

http::Result<json> Stripe::upsert_customer(const json& in, const std::string& key) {
  auto ext = text(in, "external_id");
  auto name = text(in, "name");
  if (!ext) return tl::unexpected(ext.error());
  if (!name) return tl::unexpected(name.error());
  auto found = call("GET", "/v1/customers/search",
                    {{"query", "metadata['external_id']:'" + *ext + "'"}}, "");
  if (!found) return found;
  Fields f = {{"name", *name}, {"metadata[external_id]", *ext}};
  for (const char* k : {"email", "tax_id"})
    if (auto v = text(in, k, false); v && !v->empty())
      f.emplace_back(std::string(k) == "tax_id" ? "metadata[tax_id]" : k, *v);
  put_metadata(f, in);
  http::Result<json> c;
  if (!(*found)["data"].empty())
    c = call("POST", "/v1/customers/" + (*found)["data"][0]["id"].get<std::string>(), f,
             key + ":update");
  else
    c = call("POST", "/v1/customers", f, key);
  if (!c) return c;
  return json{{"system", "stripe"},
              {"id", (*c)["id"]},
              {"external_id", *ext},
              {"name", (*c).value("name", "")},
              {"email", (*c).value("email", json())}};
}

http::Result<json> Stripe::upsert_product(const json& in, const std::string& key) {
  auto ext = text(in, "external_id");
  auto name = text(in, "name");
  if (!ext) return tl::unexpected(ext.error());
  if (!name) return tl::unexpected(name.error());
  Fields f = {{"id", *ext}, {"name", *name}};
  if (auto d = text(in, "description", false); d && !d->empty()) f.emplace_back("description", *d);
  auto p = call("POST", "/v1/products", f, key);
  if (!p && p.error().kind == Failure::AlreadyDone) {
    Fields update(f.begin() + 1, f.end());
    p = call("POST", "/v1/products/" + http::url_encode(*ext), update, key + ":update");
  }
  if (!p) return p;
  return json{{"system", "stripe"}, {"id", (*p)["id"]}, {"name", (*p).value("name", "")}};
}

http::Result<json> Stripe::upsert_price(const json& in, const std::string& key) {
  auto ext = text(in, "external_id");
  auto product = text(in, "product");
  if (!ext) return tl::unexpected(ext.error());
  if (!product) return tl::unexpected(product.error());
  if (!in.contains("amount")) return tl::unexpected(bad_input("'amount' is required"));
  auto amount = minor_units(in["amount"], "stripe: 'amount'");
  if (!amount) return tl::unexpected(amount.error());
  std::string currency =
      in["amount"].is_object() ? in["amount"].value("currency", "") : in.value("currency", "");
  if (currency.size() != 3) return tl::unexpected(bad_input("'amount' needs a 3-letter currency"));
  auto found = call("GET", "/v1/prices", {{"lookup_keys[]", *ext}}, "");
  if (!found) return found;
  for (const auto& p : (*found)["data"])
    if (p.value("unit_amount", -1) == *amount && p.value("currency", "") == lower(currency))
      return json{{"system", "stripe"},
                  {"id", p["id"]},
                  {"amount_minor", *amount},
                  {"currency", lower(currency)}};
  Fields f = {{"product", *product},
              {"unit_amount", std::to_string(*amount)},
              {"currency", lower(currency)},
              {"lookup_key", *ext},
              {"transfer_lookup_key", "true"}};
  if (auto interval = text(in, "interval", false); interval && !interval->empty()) {
    f.emplace_back("recurring[interval]", *interval);
    if (in.contains("interval_count")) {
      if (!in["interval_count"].is_number_integer() || in["interval_count"].get<int>() < 1)
        return tl::unexpected(bad_input("'interval_count' must be a positive whole number"));
      f.emplace_back("recurring[interval_count]", std::to_string(in["interval_count"].get<int>()));
    }
  }
  auto p = call("POST", "/v1/prices", f, key);
  if (!p) return p;
  return json{{"system", "stripe"},
              {"id", (*p)["id"]},
              {"amount_minor", *amount},
              {"currency", lower(currency)}};
}

http::Result<json> Stripe::create_subscription(const json& in, const std::string& key) {
  auto customer = text(in, "customer");
  if (!customer) return tl::unexpected(customer.error());
  if (!in.contains("items") || !in["items"].is_array() || in["items"].empty())
    return tl::unexpected(bad_input("'items' must be a non-empty list of {price, quantity}"));
  Fields f = {{"customer", *customer}};
  for (std::size_t i = 0; i < in["items"].size(); ++i) {
    const auto& item = in["items"][i];
    auto price = text(item, "price");
    if (!price)
      return tl::unexpected(bad_input("items[" + std::to_string(i) + "] needs a 'price'"));
    f.emplace_back("items[" + std::to_string(i) + "][price]", *price);
    f.emplace_back("items[" + std::to_string(i) + "][quantity]",
                   std::to_string(item.value("quantity", 1)));
  }
  f.emplace_back("collection_method", in.value("collection_method", "send_invoice"));
  if (f.back().second == "send_invoice")
    f.emplace_back("days_until_due", std::to_string(in.value("days_until_due", 30)));
  if (auto start = text(in, "start_date", false); start && !start->empty()) {
    auto day = unix_day(*start);
    if (!day) return tl::unexpected(bad_input("'start_date' must be YYYY-MM-DD"));
    f.emplace_back("backdate_start_date", std::to_string(*day * 86400));
  }
  put_metadata(f, in);
  auto s = call("POST", "/v1/subscriptions", f, key);
  if (!s) return s;
  return json{{"system", "stripe"},
              {"id", (*s)["id"]},
              {"status", (*s).value("status", "")},
              {"customer", *customer}};
}

http::Result<json> Stripe::create_subscription_schedule(const json& in, const std::string& key) {
  auto customer = text(in, "customer");
  auto start = text(in, "start_date");
  if (!customer) return tl::unexpected(customer.error());
  if (!start) return tl::unexpected(start.error());
  auto day = unix_day(*start);
  if (!day) return tl::unexpected(bad_input("'start_date' must be YYYY-MM-DD"));
  if (!in.contains("phases") || !in["phases"].is_array() || in["phases"].empty())
    return tl::unexpected(bad_input("'phases' must be a non-empty list"));
  Fields f = {{"customer", *customer}, {"start_date", std::to_string(*day * 86400)}};
  for (std::size_t i = 0; i < in["phases"].size(); ++i) {
    const auto& ph = in["phases"][i];
    std::string p = "phases[" + std::to_string(i) + "]";
    if (!ph.contains("items") || !ph["items"].is_array())
      return tl::unexpected(bad_input(p + " needs 'items'"));
    for (std::size_t j = 0; j < ph["items"].size(); ++j) {
      auto price = text(ph["items"][j], "price");
      if (!price)
        return tl::unexpected(bad_input(p + "[items][" + std::to_string(j) + "] needs a 'price'"));
      f.emplace_back(p + "[items][" + std::to_string(j) + "][price]", *price);
      f.emplace_back(p + "[items][" + std::to_string(j) + "][quantity]",
                     std::to_string(ph["items"][j].value("quantity", 1)));
    }
    if (ph.contains("iterations"))
      f.emplace_back(p + "[iterations]", std::to_string(ph.value("iterations", 1)));
  }
  auto s = call("POST", "/v1/subscription_schedules", f, key);
  if (!s) return s;
  return json{{"system", "stripe"}, {"id", (*s)["id"]}, {"status", (*s).value("status", "")}};
}

// Stripe changes a subscription's items by their ids (si_…): the subscription is read first,
// each item found by the price it is on now (`from_price`), and the change posted with
// proration_behavior=none. Posting the same change again leaves the subscription as it is.
http::Result<json> Stripe::update_subscription(const json& in, const std::string& key) {
  auto sub = text(in, "subscription");
  if (!sub) return tl::unexpected(sub.error());
  if (!in.contains("items") || !in["items"].is_array() || in["items"].empty())
    return tl::unexpected(bad_input("'items' must be a non-empty list of {from_price, price}"));
  std::string path = "/v1/subscriptions/" + http::url_encode(*sub);
  auto now = call("GET", path, {}, "");
  if (!now) return now;
  std::map<std::string, std::string> item_on;  // price id → subscription item id
  const json& data = now->value("items", json::object()).value("data", json::array());
  for (const auto& it : data) {
    if (!it.is_object() || !it.contains("id") || !it["id"].is_string()) continue;
    const json& price = it.value("price", json());
    std::string pid = price.is_object()   ? price.value("id", "")
                      : price.is_string() ? price.get<std::string>()
                                          : "";
    if (!pid.empty()) item_on[pid] = it["id"];
  }
  Fields f = {{"proration_behavior", "none"}};
  for (std::size_t i = 0; i < in["items"].size(); ++i) {
    const auto& item = in["items"][i];
    std::string at = "items[" + std::to_string(i) + "]";
    auto price = text(item, "price");
    if (!price) return tl::unexpected(bad_input(at + " needs a 'price'"));
    auto qty = item.value("quantity", json(1));
    if (!qty.is_number_integer() || qty.get<std::int64_t>() < 1)
      return tl::unexpected(bad_input(at + ": 'quantity' must be a whole number from 1"));
    if (auto from = text(item, "from_price", false); from && !from->empty()) {
      auto si = item_on.find(*from);
      if (si == item_on.end()) {
        // Already moved (a retry after the change landed): the new price is on it.
        if (!item_on.count(*price))
          return tl::unexpected(Error{
              Failure::Permanent,
              "stripe: subscription " + *sub + " has no item on price " + *from + " to change", 404,
              ""});
        si = item_on.find(*price);
      }
      f.emplace_back(at + "[id]", si->second);
    } else if (item_on.count(*price)) {
      continue;  // an added item already added
    }
    f.emplace_back(at + "[price]", *price);
    f.emplace_back(at + "[quantity]", std::to_string(qty.get<std::int64_t>()));
  }
  auto s = call("POST", path, f, key);
  if (!s) return s;
  return json{{"system", "stripe"},
              {"id", (*s)["id"]},
              {"status", (*s).value("status", "")},
              {"items", in["items"].size()}};
}

http::Result<json> Stripe::create_invoice(const json& in, const std::string& key) {
  auto customer = text(in, "customer");
  auto currency = text(in, "currency");
  if (!customer) return tl::unexpected(customer.error());
  if (!currency) return tl::unexpected(currency.error());
  if (!in.contains("items") || !in["items"].is_array() || in["items"].empty())
    return tl::unexpected(bad_input("'items' must be a non-empty list"));
  Fields f = {{"customer", *customer},
              {"currency", lower(*currency)},
              {"collection_method", "send_invoice"},
              {"pending_invoice_items_behavior", "exclude"},
              {"auto_advance", "false"}};
  if (auto due = text(in, "due_date", false); due && !due->empty()) {
    auto day = unix_day(*due);
    if (!day) return tl::unexpected(bad_input("'due_date' must be YYYY-MM-DD"));
    f.emplace_back("due_date", std::to_string(*day * 86400));
  } else {
    f.emplace_back("days_until_due", "30");
  }
  if (auto d = text(in, "description", false); d && !d->empty()) f.emplace_back("description", *d);
  put_metadata(f, in);
  auto inv = call("POST", "/v1/invoices", f, key + ":invoice");
  if (!inv) return inv;
  std::string id = (*inv)["id"];
  for (std::size_t i = 0; i < in["items"].size(); ++i) {
    const auto& item = in["items"][i];
    const json& amount = item.contains("amount") ? item["amount"] : item;
    auto minor = minor_units(amount, "stripe: items[" + std::to_string(i) + "] amount");
    if (!minor) return tl::unexpected(minor.error());
    Fields line = {{"customer", *customer},
                   {"invoice", id},
                   {"currency", lower(*currency)},
                   {"amount", std::to_string(*minor)},
                   {"description", item.value("description", "")}};
    auto added = call("POST", "/v1/invoiceitems", line, key + ":item:" + std::to_string(i));
    if (!added) return added;
  }
  auto full = call("GET", "/v1/invoices/" + id, {}, "");
  if (!full) return full;
  return invoice_view(*full);
}

http::Result<json> Stripe::create_invoice_item(const json& in, const std::string& key) {
  auto customer = text(in, "customer");
  if (!customer) return tl::unexpected(customer.error());
  if (!in.contains("amount")) return tl::unexpected(bad_input("'amount' is required"));
  auto minor = minor_units(in["amount"], "stripe: 'amount'");
  if (!minor) return tl::unexpected(minor.error());
  std::string currency =
      in["amount"].is_object() ? in["amount"].value("currency", "") : in.value("currency", "");
  Fields f = {
      {"customer", *customer}, {"amount", std::to_string(*minor)}, {"currency", lower(currency)}};
  if (auto inv = text(in, "invoice", false); inv && !inv->empty()) f.emplace_back("invoice", *inv);
  if (auto d = text(in, "description", false); d && !d->empty()) f.emplace_back("description", *d);
  auto item = call("POST", "/v1/invoiceitems", f, key);
  if (!item) return item;
  return json{{"system", "stripe"}, {"id", (*item)["id"]}, {"amount_minor", *minor}};
}

http::Result<json> Stripe::finalize_invoice(const json& in, const std::string& key) {
  auto id = text(in, "invoice");
  if (!id) return tl::unexpected(id.error());
  auto inv = call("POST", "/v1/invoices/" + http::url_encode(*id) + "/finalize", {}, key);
  if (!inv) return inv;
  return invoice_view(*inv);
}

http::Result<json> Stripe::list_invoices(const json& in) {
  auto customer = text(in, "customer");
  if (!customer) return tl::unexpected(customer.error());
  Fields f = {{"customer", *customer}, {"limit", "100"}};
  if (auto since = text(in, "since", false); since && !since->empty()) {
    auto day = unix_day(since->substr(0, 10));
    if (!day) return tl::unexpected(bad_input("'since' must start with YYYY-MM-DD"));
    f.emplace_back("created[gte]", std::to_string(*day * 86400));
  }
  json out = json::array();
  std::string after;
  while (true) {
    Fields page = f;
    if (!after.empty()) page.emplace_back("starting_after", after);
    auto list = call("GET", "/v1/invoices", page, "");
    if (!list) return list;
    for (const auto& inv : (*list)["data"]) out.push_back(invoice_view(inv));
    if (!(*list).value("has_more", false) || (*list)["data"].empty()) break;
    after = (*list)["data"].back()["id"];
  }
  return json{{"system", "stripe"}, {"invoices", out}};
}

http::Result<json> Stripe::create_credit_note(const json& in, const std::string& key) {
  auto invoice = text(in, "invoice");
  auto reason = text(in, "reason");
  if (!invoice) return tl::unexpected(invoice.error());
  if (!reason) return tl::unexpected(reason.error());
  if (!in.contains("amount")) return tl::unexpected(bad_input("'amount' is required"));
  auto minor = minor_units(in["amount"], "stripe: 'amount'");
  if (!minor) return tl::unexpected(minor.error());
  Fields f = {{"invoice", *invoice}, {"amount", std::to_string(*minor)}, {"reason", *reason}};
  auto cn = call("POST", "/v1/credit_notes", f, key);
  if (!cn) return cn;
  return json{
      {"system", "stripe"}, {"id", (*cn)["id"]}, {"amount_minor", *minor}, {"invoice", *invoice}};
}

}  // namespace covenant::adapters::billing
