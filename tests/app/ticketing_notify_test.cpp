// Zendesk tickets for SLA monitoring, Slack messages, and signed notify.webhook deliveries,
// over real HTTP on 127.0.0.1.
#include "activities/runner.hpp"
#include "adapters/notifier/signature.hpp"
#include "tests/app/sandbox_fixture.hpp"
#include "tests/support/listening.hpp"

using covenant::activities::failed;
using covenant::testing::SandboxServer;
using nlohmann::json;

TEST_CASE("Zendesk: an account's tickets with reply and resolution times, since a date") {
  SandboxServer s;
  auto zd = s.zendesk();
  auto all = zd->list_tickets({{"account", "ACC-1001"}});
  INFO((all ? std::string() : all.error().message));
  REQUIRE(all);
  CHECK((*all)["tickets"].size() == 4);
  auto recent = zd->list_tickets({{"account", "ACC-1001"}, {"since", "2027-03-01"}});
  REQUIRE(recent);
  REQUIRE((*recent)["tickets"].size() == 3);
  const auto& outage = (*recent)["tickets"][0];
  CHECK(outage["priority"] == "urgent");
  CHECK(outage["first_reply_minutes"] == 240);
  CHECK(outage["resolution_minutes"] == 610);
  CHECK((*recent)["tickets"][2]["resolution_minutes"].is_null());  // still open
  auto unknown = zd->list_tickets({{"account", "ACC-0000"}});
  REQUIRE_FALSE(unknown);
  CHECK(failed(unknown.error()).code == "NotFound");
  auto denied = s.zendesk("")->list_tickets({{"account", "ACC-1001"}});
  REQUIRE_FALSE(denied);
  CHECK(failed(denied.error()).code == "Unauthorized");
  CHECK(denied.error().message == "zendesk: Couldn't authenticate you");
}

TEST_CASE("ServiceNow: an account's incidents with response and resolve times, since a date") {
  SandboxServer s;
  auto sn = s.servicenow();
  auto all = sn->list_tickets({{"account", "ACC-1001"}});
  INFO((all ? std::string() : all.error().message));
  REQUIRE(all);
  CHECK((*all)["system"] == "servicenow");
  CHECK((*all)["tickets"].size() == 3);
  auto recent = sn->list_tickets({{"account", "ACC-1001"}, {"since", "2027-03-15"}});
  REQUIRE(recent);
  REQUIRE((*recent)["tickets"].size() == 2);
  const auto& first = (*all)["tickets"][0];  // opened first
  CHECK(first["id"] == "INC0010001");
  CHECK(first["priority_level"] == 1);
  CHECK(first["first_reply_minutes"] == 300);  // its Response SLA: 02:40 to 07:40
  CHECK(first["resolution_minutes"] == 570);
  CHECK(first["created_at"] == "2027-03-14T02:40:00Z");
  CHECK((*recent)["tickets"][1]["resolution_minutes"].is_null());  // still open
  // Another account's incidents are not Acme's; an account no company has, none.
  auto globex = sn->list_tickets({{"account", "ACC-1002"}});
  REQUIRE(globex);
  REQUIRE((*globex)["tickets"].size() == 1);
  CHECK((*globex)["tickets"][0]["priority_level"] == 4);
  auto none = sn->list_tickets({{"account", "ACC-0000"}});
  REQUIRE(none);
  CHECK((*none)["tickets"].empty());
  // An account that would widen the encoded query, or a date that is not one, is refused
  // before any call.
  CHECK(failed(sn->list_tickets({{"account", "ACC-1001^ORpriority=1"}}).error()).code ==
        "InvalidInput");
  CHECK(failed(sn->list_tickets({{"account", "ACC-1001"}, {"since", "March"}}).error()).code ==
        "InvalidInput");
  auto denied = s.servicenow("")->list_tickets({{"account", "ACC-1001"}});
  REQUIRE_FALSE(denied);
  CHECK(failed(denied.error()).code == "Unauthorized");
  CHECK(denied.error().message.find("User Not Authenticated") != std::string::npos);
  // A 503 is retried; an answer that is not ServiceNow's shape is an error, not a crash.
  s.fault(
      {{"method", "GET"}, {"path_prefix", "/api/now/table"}, {"fail_next", 1}, {"status", 503}});
  REQUIRE(sn->list_tickets({{"account", "ACC-1001"}}));
  CHECK(s.waits.size() == 1);
}

TEST_CASE("monitor.sla over ServiceNow: the critical incident answered after five hours") {
  SandboxServer s;
  covenant::activities::Systems sys;
  sys.ticketing = s.servicenow();
  sys.today = [] { return std::int64_t{20'600}; };  // 2026-05-27: inside the term
  covenant::activities::Runner run(sys);
  json terms = {{"expiration_date", "2028-02-01"},
                {"sla",
                 {{"uptime_percent", "99.9"},
                  {"response_times",
                   {{{"priority", 1}, {"within", {{"value", 4}, {"unit", "hours"}}}},
                    {{"priority", 2}, {"within", {{"value", 8}, {"unit", "hours"}}}}}}}}};
  auto o = run.run("monitor.sla", {{"account", "ACC-1001"}, {"terms", terms}}, "k1", "default");
  INFO(o.message);
  REQUIRE(o.ok);
  REQUIRE(o.result["breaches"].size() == 1);
  CHECK(o.result["breaches"][0]["ticket"] == "INC0010001");
  CHECK(o.result["breaches"][0]["actual_minutes"] == 300);
  CHECK(o.result["breaches"][0]["limit_minutes"] == 240);
}

TEST_CASE("Slack: messages arrive, a bad one is refused with Slack's word, a 500 is retried") {
  SandboxServer s;
  auto slack = s.slack();
  auto posted = slack->post(
      {{"text", "Renewal notice for C-1042 is due on 2027-11-02"}, {"channel", "#revops"}});
  INFO((posted ? std::string() : posted.error().message));
  REQUIRE(posted);
  auto msgs = s.records("slack", "message");
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0]["body"]["channel"] == "#revops");
  CHECK(failed(slack->post({{"channel", "#revops"}}).error()).code == "InvalidInput");
  s.fault({{"method", "POST"}, {"path_prefix", "/slack/hooks"}, {"fail_next", 1}, {"status", 500}});
  REQUIRE(slack->post({{"text", "second"}}));
  CHECK(s.records("slack", "message").size() == 2);
  CHECK(s.waits.size() == 1);
}

TEST_CASE("Teams: a message is an Adaptive Card, a bad one is refused before it is sent") {
  SandboxServer s;
  auto teams = s.teams();
  auto posted = teams->post({{"title", "Renewal notice due"},
                             {"text", "Contract C-1042: notice of non-renewal by 2027-12-03"},
                             {"facts",
                              {{{"title", "Customer"}, {"value", "Acme Corporation"}},
                               {{"title", "Days left"}, {"value", 30}}}}});
  INFO((posted ? std::string() : posted.error().message));
  REQUIRE(posted);
  CHECK((*posted)["status"] == 202);
  auto msgs = s.records("teams", "message");
  REQUIRE(msgs.size() == 1);
  const json& card = msgs[0]["body"]["attachments"][0]["content"];
  CHECK(card["type"] == "AdaptiveCard");
  CHECK(card["body"][0]["text"] == "Renewal notice due");
  CHECK(card["body"][1]["text"] == "Contract C-1042: notice of non-renewal by 2027-12-03");
  CHECK(card["body"][2]["facts"][1]["value"] == "30");
  // Refused before any call: no text, a fact without a title, a message over 28 KB.
  for (const json& bad : {json{{"title", "x"}}, json{{"text", "x"}, {"facts", {{{"value", 1}}}}},
                          json{{"text", std::string(29 * 1024, 'a')}}}) {
    auto r = teams->post(bad);
    REQUIRE_FALSE(r);
    CHECK(failed(r.error()).code == "InvalidInput");
  }
  CHECK(s.records("teams", "message").size() == 1);
  // A 503 is retried; what Teams refuses keeps Teams' words.
  s.fault(
      {{"method", "POST"}, {"path_prefix", "/teams/webhook"}, {"fail_next", 1}, {"status", 503}});
  REQUIRE(teams->post({{"text", "second"}}));
  CHECK(s.records("teams", "message").size() == 2);
  CHECK(s.waits.size() == 1);
}

TEST_CASE("notify.webhook sends a signed event whose id is the engine's key") {
  httplib::Server rx;
  std::string got_sig, got_id, got_body;
  rx.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    got_sig = req.get_header_value("Covenant-Signature");
    got_id = req.get_header_value("Covenant-Event-Id");
    got_body = req.body;
    res.status = 204;
  });
  int port = rx.bind_to_any_port("127.0.0.1");
  REQUIRE(port > 0);  // a failed bind fails the test
  std::thread t([&] { rx.listen_after_bind(); });
  covenant::testing::wait_until_listening(rx, t);
  covenant::activities::Systems systems;
  systems.webhook_url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  systems.webhook_secret = "whsec_activity";
  covenant::activities::Runner runner(systems, [] { return std::int64_t{1800000000}; });
  auto o = runner.run("notify.webhook",
                      {{"event", "provisioning.requested"}, {"payload", {{"sku", "platform"}}}},
                      "inst-1/root/provision#1", "default");
  rx.stop();
  t.join();
  REQUIRE(o.ok);
  CHECK(got_id == "inst-1/root/provision#1");
  CHECK(covenant::adapters::notifier::verify("whsec_activity", got_sig, got_body, 1800000000));
  CHECK(json::parse(got_body)["type"] == "provisioning.requested");
  covenant::activities::Runner unconfigured(covenant::activities::Systems{});
  CHECK(unconfigured.run("notify.webhook", {{"event", "x"}, {"payload", 1}}, "k", "default").code ==
        "NotConfigured");
  CHECK(unconfigured.run("crm.find_account", {{"name", "x"}}, "k", "default").code ==
        "NotConfigured");
}

TEST_CASE(
    "The shared client keeps to its rate limit, and injected latency beyond its timeout "
    "is a transient failure") {
  SandboxServer s;
  namespace h = covenant::adapters::http;
  h::Options o;
  o.system = "slack";
  o.base_url = s.url();
  o.rate_per_second = 10;  // one request every 100 ms
  o.timeout = std::chrono::milliseconds(300);
  o.max_attempts = 1;
  std::vector<std::chrono::milliseconds> waits;
  h::Hooks hooks;
  hooks.sleep = [&](std::chrono::milliseconds d) { waits.push_back(d); };
  hooks.now_ms = [] { return std::int64_t{5000}; };  // three requests at the same instant
  covenant::adapters::notifier::Slack slack(std::make_shared<h::Client>(o, hooks),
                                            "/slack/hooks/T/B/x");
  for (int i = 0; i < 3; ++i) REQUIRE(slack.post({{"text", "m" + std::to_string(i)}}));
  CHECK(waits == std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(100),
                                                        std::chrono::milliseconds(200)});
  s.fault({{"path_prefix", "/slack/hooks"}, {"latency_ms", 1500}});
  auto slow = slack.post({{"text", "late"}});
  REQUIRE_FALSE(slow);
  CHECK(failed(slow.error()).code == "Unavailable");
}

TEST_CASE("The sandbox answers malformed parameters with each system's validation error") {
  SandboxServer s;
  httplib::Client c("127.0.0.1", s.port);
  httplib::Headers stripe_auth = {{"Authorization", "Bearer sk_test_x"}};
  auto cus = c.Post("/v1/customers", stripe_auth, "name=Acme", "application/x-www-form-urlencoded");
  REQUIRE(cus);
  std::string id = json::parse(cus->body)["id"];
  REQUIRE(c.Post("/v1/products", stripe_auth, "id=p1&name=P", "application/x-www-form-urlencoded"));
  auto price = c.Post("/v1/prices", stripe_auth, "product=p1&currency=usd&unit_amount=100",
                      "application/x-www-form-urlencoded");
  REQUIRE(price);
  std::string price_id = json::parse(price->body)["id"];
  auto bad_qty =
      c.Post("/v1/subscriptions", stripe_auth,
             "customer=" + id + "&items[0][price]=" + price_id + "&items[0][quantity]=lots",
             "application/x-www-form-urlencoded");
  REQUIRE(bad_qty);
  CHECK(bad_qty->status == 400);
  CHECK(json::parse(bad_qty->body)["error"]["message"] == "Invalid positive integer");
  auto bad_limit = c.Get("/v1/invoices?limit=many", stripe_auth);
  REQUIRE(bad_limit);
  CHECK(bad_limit->status == 400);
  c.set_basic_auth("ops@covenant.test/token", "t");
  auto bad_page = c.Get("/api/v2/organizations/360001/tickets.json?per_page=ten");
  REQUIRE(bad_page);
  CHECK(bad_page->status == 400);
  CHECK(json::parse(bad_page->body)["error"] == "InvalidPaginationParameter");
}
