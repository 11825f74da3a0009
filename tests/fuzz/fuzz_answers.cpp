// libFuzzer target: arbitrary answers from the external systems, through every adapter
// operation as activities call it (activities::Runner over Stripe, Salesforce + CPQ,
// NetSuite, Zendesk, ServiceNow, Slack, Teams, Jira, Asana, CalDAV, DocuSign and Ironclad), with
// no socket: the
// client's exchange hook answers each request from the input. The input is a list of answers
// separated by the byte 0x1E; each answer is one status byte (an index into common statuses) then
// the body; requests take them in turn, cycling. Whatever a system says, an operation answers with
// a result or a failure that names the system and says what was wrong: a crash, an escaping
// exception, a sanitizer report or an Internal outcome is a bug. Run: scripts/fuzz answers
// [seconds]
#include "activities/runner.hpp"
#include "adapters/billing/stripe.hpp"
#include "adapters/calendar/calendar.hpp"
#include "adapters/clm/clm.hpp"
#include "adapters/crm/salesforce.hpp"
#include "adapters/erp/netsuite.hpp"
#include "adapters/notifier/slack.hpp"
#include "adapters/notifier/teams.hpp"
#include "adapters/ticketing/ticketing.hpp"
#include "adapters/worktools/worktools.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using covenant::adapters::http::Auth;
using covenant::adapters::http::Client;
using covenant::adapters::http::Hooks;
using covenant::adapters::http::Options;
using covenant::adapters::http::Request;
using covenant::adapters::http::Response;
using covenant::adapters::http::Result;
using nlohmann::json;

constexpr int kStatuses[] = {200, 201, 204, 400, 401, 402, 404, 409, 422, 429, 500, 503, 302, 412};

struct Answers {
  std::vector<Response> list;
  std::size_t next = 0;
  Result<Response> answer(const Request& r) {
    // The token endpoints always grant: the fuzzer's bytes are for the operations' answers.
    if (r.path.find("oauth2") != std::string::npos)
      return Response{200, R"({"access_token":"t","token_type":"Bearer"})", {}};
    if (list.empty()) return Response{200, "", {}};
    return list[next++ % list.size()];
  }
};

Answers answers;

std::shared_ptr<Client> client(const std::string& system, Auth::Kind auth) {
  Options o;
  o.system = system;
  o.base_url = "http://127.0.0.1:9";  // never used: the exchange hook answers
  o.auth.kind = auth;
  o.auth.token = "secret";
  o.auth.user = "ops@example.com/token";
  o.auth.password = "secret";
  o.auth.token_path = "/oauth2/token";
  o.auth.client_id = "id";
  o.auth.client_secret = "secret";
  o.max_attempts = 2;
  Hooks h;
  h.sleep = [](std::chrono::milliseconds) {};
  h.random = [] { return 0.5; };
  h.now_ms = [] { return std::int64_t{0}; };
  h.exchange = [](const Request& r) { return answers.answer(r); };
  return std::make_shared<Client>(o, h);
}

// `servicenow`: the ticketing system is ServiceNow's, else Zendesk's.
covenant::activities::Runner make_runner(bool servicenow) {
  namespace a = covenant::adapters;
  covenant::activities::Systems s;
  s.billing = std::make_shared<a::billing::Stripe>(client("stripe", Auth::Kind::Bearer));
  auto sf = std::make_shared<a::crm::Salesforce>(client("salesforce", Auth::Kind::OAuth2));
  s.crm = sf;
  s.cpq = sf;
  s.erp = std::make_shared<a::erp::NetSuite>(client("netsuite", Auth::Kind::OAuth2));
  if (servicenow)
    s.ticketing =
        std::make_shared<a::ticketing::ServiceNow>(client("servicenow", Auth::Kind::Basic));
  else
    s.ticketing = std::make_shared<a::ticketing::Zendesk>(client("zendesk", Auth::Kind::Basic));
  s.teams = std::make_shared<a::notifier::Teams>(client("teams", Auth::Kind::None), "/hook");
  s.slack = std::make_shared<a::notifier::Slack>(client("slack", Auth::Kind::None), "/hook");
  s.jira = std::make_shared<a::worktools::Jira>(client("jira", Auth::Kind::Basic));
  s.asana = std::make_shared<a::worktools::Asana>(client("asana", Auth::Kind::Bearer));
  s.calendar = std::make_shared<a::calendar::CalDav>(client("caldav", Auth::Kind::Basic),
                                                     "ops@covenant.test");
  s.clm["docusign"] = std::make_shared<a::clm::DocuSign>(client("docusign", Auth::Kind::Bearer));
  s.clm["ironclad"] = std::make_shared<a::clm::Ironclad>(client("ironclad", Auth::Kind::Bearer));
  s.today = [] { return std::int64_t{20800}; };
  return covenant::activities::Runner(std::move(s));
}

// Every adapter operation with an input it accepts, so each reaches its system.
const std::vector<std::pair<const char*, json>>& operations() {
  static const json usd = {{"amount_minor", 120000}, {"currency", "USD"}};
  static const std::vector<std::pair<const char*, json>> ops = {
      {"billing.upsert_customer", {{"external_id", "ACC-1"}, {"name", "Acme"}}},
      {"billing.upsert_product", {{"external_id", "prod-1"}, {"name", "Platform"}}},
      {"billing.upsert_price",
       {{"external_id", "price-1"}, {"product", "prod_1"}, {"amount", usd}, {"interval", "month"}}},
      {"billing.create_subscription",
       {{"customer", "cus_1"}, {"items", {{{"price", "price_1"}, {"quantity", 2}}}}}},
      {"billing.create_subscription_schedule",
       {{"customer", "cus_1"},
        {"start_date", "2027-01-01"},
        {"phases", {{{"items", {{{"price", "price_1"}, {"quantity", 1}}}}, {"iterations", 12}}}}}},
      {"billing.create_invoice",
       {{"customer", "cus_1"},
        {"currency", "USD"},
        {"items", {{{"description", "Setup"}, {"amount_minor", 5000}}}}}},
      {"billing.create_invoice_item",
       {{"customer", "cus_1"}, {"invoice", "in_1"}, {"amount", usd}, {"description", "x"}}},
      {"billing.finalize_invoice", {{"invoice", "in_1"}}},
      {"billing.update_subscription",
       {{"subscription", "sub_1"},
        {"items", json::array({{{"from_price", "price_1"}, {"price", "price_2"}, {"quantity", 2}},
                               {{"price", "price_3"}}})}}},
      {"billing.list_invoices", {{"customer", "cus_1"}}},
      {"billing.create_credit_note", {{"invoice", "in_1"}, {"amount", usd}, {"reason", "x"}}},
      {"crm.find_account", {{"name", "Acme"}}},
      {"crm.upsert_account", {{"external_id", "ACC-1"}, {"name", "Acme"}}},
      {"crm.get_opportunity", {{"id", "006000000000001AAA"}}},
      {"crm.list_contacts", {{"account", "001000000000001AAA"}}},
      {"crm.create_task", {{"subject", "Provision"}, {"owner", "ops"}}},
      {"crm.create_case", {{"subject", "Breach"}}},
      {"cpq.get_quote", {{"id", "a0Q000000000001AAA"}}},
      {"cpq.list_quote_lines", {{"quote", "a0Q000000000001AAA"}}},
      {"erp.post_journal_entry",
       {{"date", "2027-01-31"},
        {"currency", "USD"},
        {"lines",
         {{{"account", "1200"}, {"side", "debit"}, {"amount_minor", 100}},
          {{"account", "4000"}, {"side", "credit"}, {"amount_minor", 100}}}}}},
      {"erp.create_ar_invoice",
       {{"customer", "ACC-1"},
        {"currency", "USD"},
        {"lines", {{{"item", "platform"}, {"quantity", 1}, {"amount_minor", 100}}}}}},
      {"erp.create_revenue_schedule",
       {{"schedule",
         {{"name", "C-1"},
          {"currency", "USD"},
          {"periods", {{{"period", "2027-01"}, {"obligation", "p"}, {"amount_minor", 100}}}}}}}},
      {"erp.record_payment_terms", {{"customer", "ACC-1"}, {"terms", {{"net_days", 30}}}}},
      {"ticketing.list_tickets", {{"account", "ACC-1"}, {"since", "2027-01-01"}}},
      {"notify.slack", {{"text", "hello"}}},
      {"notify.teams",
       {{"title", "Notice"}, {"text", "hello"}, {"facts", {{{"title", "a"}, {"value", 1}}}}}},
      {"jira.create_issue",
       {{"project", "COV"}, {"title", "Provision"}, {"due_date", "2027-02-01"}}},
      {"jira.get_issue", {{"task", "COV-1"}}},
      {"asana.create_task", {{"project", "1201"}, {"title", "Provision"}}},
      {"asana.get_task", {{"task", "1200000000000001"}}},
      // A 412 makes the adapter read the event back and parse it with libical.
      {"calendar.invite",
       {{"calendar", "deadlines"},
        {"title", "Notice deadline"},
        {"date", "2027-11-21"},
        {"attendees", {"revops@covenant.test"}}}},
      // The CLM adapters, reached through the activity that fetches a signed document (no
      // document store here: what the answers make of the adapter is the point).
      {"ingest.signed_document",
       {{"contract_id", "C-1"},
        {"source", {{"clm", "docusign"}, {"account_id", "acct-1"}, {"envelope_id", "env-1"}}}}},
      {"ingest.signed_document",
       {{"contract_id", "C-1"}, {"source", {{"clm", "ironclad"}, {"workflow_id", "wf-1"}}}}},
  };
  return ops;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const covenant::activities::Runner runner = make_runner(false);
  static const covenant::activities::Runner servicenow = make_runner(true);
  std::string_view in(reinterpret_cast<const char*>(data), size);
  answers.list.clear();
  while (!in.empty() && answers.list.size() < 16) {
    auto end = in.find('\x1e');
    std::string_view one = in.substr(0, end);
    Response r;
    r.status = one.empty() ? 200
                           : kStatuses[static_cast<unsigned char>(one[0]) %
                                       (sizeof kStatuses / sizeof kStatuses[0])];
    if (!one.empty()) r.body = std::string(one.substr(1));
    if (r.status == 429 || r.status == 503) r.headers["retry-after"] = "0";
    answers.list.push_back(std::move(r));
    if (end == std::string_view::npos) break;
    in.remove_prefix(end + 1);
  }
  for (const auto& [activity, input] : operations()) {
    answers.next = 0;
    auto o = runner.run(activity, input, "fuzz-key", "default");
    if (!o.ok && (o.code == "Internal" || o.message.empty())) __builtin_trap();
  }
  answers.next = 0;
  auto o = servicenow.run("ticketing.list_tickets", {{"account", "ACC-1"}, {"since", "2027-01-01"}},
                          "fuzz-key", "default");
  if (!o.ok && (o.code == "Internal" || o.message.empty())) __builtin_trap();
  return 0;
}
