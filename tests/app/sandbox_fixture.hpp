// The sandbox of external systems on a real socket on 127.0.0.1, with its own database file,
// and a Stripe adapter pointed at it (no waiting between retries: the waits are recorded).
#pragma once

#include "adapters/billing/stripe.hpp"
#include "adapters/calendar/calendar.hpp"
#include "adapters/clm/clm.hpp"
#include "adapters/crm/salesforce.hpp"
#include "adapters/erp/netsuite.hpp"
#include "adapters/notifier/slack.hpp"
#include "adapters/notifier/teams.hpp"
#include "adapters/ticketing/ticketing.hpp"
#include "adapters/worktools/worktools.hpp"
#include "tests/support/listening.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <thread>

#include "sandbox/sandbox.hpp"

namespace covenant::testing {

inline constexpr const char* kStripeTestKey = "sk_test_secret_covenant_4f9a1c";

struct SandboxServer {
  TempDir dir;
  engine::SystemClock clock;
  std::unique_ptr<sandbox::RecordStore> db;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  httplib::Server http;
  std::thread thread;
  int port = 0;
  std::vector<std::chrono::milliseconds> waits;  // what the adapter's client slept

  SandboxServer() {
    auto s = sandbox::RecordStore::open("sqlite:" + (dir.path() / "sandbox.db").string());
    REQUIRE(s);
    db = std::move(*s);
    sandbox = std::make_unique<sandbox::Sandbox>(*db, clock);
    sandbox->install(http);
    port = http.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { http.listen_after_bind(); });
    wait_until_listening(http, thread);
  }
  ~SandboxServer() {
    http.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }

  std::shared_ptr<adapters::billing::Stripe> stripe(std::string key = kStripeTestKey) {
    adapters::http::Options o;
    o.system = "stripe";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Bearer;
    o.auth.token = std::move(key);
    o.max_attempts = 4;
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    h.now_ms = [] { return std::int64_t{0}; };
    return std::make_shared<adapters::billing::Stripe>(
        std::make_shared<adapters::http::Client>(o, h));
  }

  std::shared_ptr<adapters::crm::Salesforce> salesforce(std::string secret = "sf_secret_7731") {
    adapters::http::Options o;
    o.system = "salesforce";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::OAuth2;
    o.auth.token_path = "/services/oauth2/token";
    o.auth.client_id = "covenant-connected-app";
    o.auth.client_secret = std::move(secret);
    o.max_attempts = 4;
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    h.now_ms = [] { return std::int64_t{0}; };
    return std::make_shared<adapters::crm::Salesforce>(
        std::make_shared<adapters::http::Client>(o, h));
  }

  std::shared_ptr<adapters::erp::NetSuite> netsuite() {
    adapters::http::Options o;
    o.system = "netsuite";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::OAuth2;
    o.auth.token_path = "/services/rest/auth/oauth2/v1/token";
    o.auth.client_id = "covenant-integration";
    o.auth.client_secret = "ns_secret_5521";
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    return std::make_shared<adapters::erp::NetSuite>(
        std::make_shared<adapters::http::Client>(o, h));
  }

  std::shared_ptr<adapters::ticketing::Zendesk> zendesk(std::string token = "zd_token_81") {
    adapters::http::Options o;
    o.system = "zendesk";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Basic;
    o.auth.user = "ops@covenant.test/token";
    o.auth.password = std::move(token);
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    return std::make_shared<adapters::ticketing::Zendesk>(
        std::make_shared<adapters::http::Client>(o, h));
  }
  std::shared_ptr<adapters::ticketing::ServiceNow> servicenow(std::string password = "sn-pass") {
    adapters::http::Options o;
    o.system = "servicenow";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Basic;
    o.auth.user = "covenant.integration";
    o.auth.password = std::move(password);
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    return std::make_shared<adapters::ticketing::ServiceNow>(
        std::make_shared<adapters::http::Client>(o, h));
  }
  std::shared_ptr<adapters::notifier::Teams> teams() {
    adapters::http::Options o;
    o.system = "teams";
    o.base_url = url();
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    return std::make_shared<adapters::notifier::Teams>(
        std::make_shared<adapters::http::Client>(o, h), "/teams/webhook/workflows/7f3a/c0ffee");
  }
  std::shared_ptr<adapters::notifier::Slack> slack() {
    adapters::http::Options o;
    o.system = "slack";
    o.base_url = url();
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    return std::make_shared<adapters::notifier::Slack>(
        std::make_shared<adapters::http::Client>(o, h), "/slack/hooks/T0001/B0001/xyz");
  }

  // A CLM adapter ("docusign" or "ironclad") with a bearer token, pointed at the sandbox.
  std::shared_ptr<adapters::clm::Clm> clm(const std::string& vendor) {
    adapters::http::Options o;
    o.system = vendor;
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Bearer;
    o.auth.token = vendor + "-access-token";
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    auto client = std::make_shared<adapters::http::Client>(o, h);
    if (vendor == "docusign") return std::make_shared<adapters::clm::DocuSign>(client);
    return std::make_shared<adapters::clm::Ironclad>(client);
  }
  // Jira (basic: e-mail and API token) and Asana (bearer) pointed at the sandbox.
  std::shared_ptr<adapters::worktools::WorkTracker> jira() {
    adapters::http::Options o;
    o.system = "jira";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Basic;
    o.auth.user = "ops@covenant.test";
    o.auth.password = "jira-api-token";
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    return std::make_shared<adapters::worktools::Jira>(
        std::make_shared<adapters::http::Client>(o, h));
  }
  std::shared_ptr<adapters::worktools::WorkTracker> asana() {
    adapters::http::Options o;
    o.system = "asana";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Bearer;
    o.auth.token = "asana-personal-access-token";
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    return std::make_shared<adapters::worktools::Asana>(
        std::make_shared<adapters::http::Client>(o, h));
  }
  // A CalDAV calendar (basic: the organizer's e-mail and an app password) at the sandbox.
  std::shared_ptr<adapters::calendar::Calendar> calendar() {
    adapters::http::Options o;
    o.system = "caldav";
    o.base_url = url();
    o.auth.kind = adapters::http::Auth::Kind::Basic;
    o.auth.user = "ops@covenant.test";
    o.auth.password = "caldav-app-password";
    adapters::http::Hooks h;
    h.sleep = [this](std::chrono::milliseconds d) { waits.push_back(d); };
    h.random = [] { return 0.5; };
    return std::make_shared<adapters::calendar::CalDav>(
        std::make_shared<adapters::http::Client>(o, h), "ops@covenant.test");
  }
  // POSTs `body` to the sandbox's admin path and returns the answer's JSON (status checked).
  nlohmann::json admin(const std::string& path, const nlohmann::json& body, int status = 200) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(60, 0);
    auto r = c.Post(path, body.dump(), "application/json");
    REQUIRE(r);
    INFO(r->body);
    REQUIRE(r->status == status);
    return nlohmann::json::parse(r->body);
  }

  void fault(const nlohmann::json& rule) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Post("/_sandbox/faults", rule.dump(), "application/json");
    REQUIRE(r);
    REQUIRE(r->status == 201);
  }
  nlohmann::json records(const std::string& system, const std::string& kind) {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get(("/_sandbox/records?system=" + system + "&kind=" + kind).c_str());
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return nlohmann::json::parse(r->body)["items"];
  }
  nlohmann::json requests() {
    httplib::Client c("127.0.0.1", port);
    auto r = c.Get("/_sandbox/requests");
    REQUIRE(r);
    return nlohmann::json::parse(r->body);
  }
};

}  // namespace covenant::testing
