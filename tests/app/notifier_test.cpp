// Webhooks over real HTTP on 127.0.0.1: signed the way Stripe signs (checked by an
// independent Python implementation), retried with backoff on failure, filtered by topic,
// and carrying callback tokens that decide the approval.
#include "engine/notify/notifier.hpp"

#include "adapters/notifier/signature.hpp"
#include "app/webhook_bridge.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/app/one_gate_workflow.hpp"
#include "tests/support/listening.hpp"

#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

using covenant::testing::ApiFixture;
using covenant::testing::kOneGateCharge;
using nlohmann::json;
using namespace std::chrono_literals;
namespace notify = covenant::engine::notify;
namespace sig = covenant::adapters::notifier;

namespace {

// A webhook receiver: fails the first `failures` deliveries with 500, records everything.
struct Receiver {
  struct Got {
    std::string signature, event_id, body;
  };
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  std::vector<Got> got;
  int failures = 0;

  Receiver() {
    server.Post("/hooks", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      got.push_back({req.get_header_value(sig::kSignatureHeader),
                     req.get_header_value("Covenant-Event-Id"), req.body});
      res.status = failures-- > 0 ? 500 : 204;
    });
    port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([this] { server.listen_after_bind(); });
    covenant::testing::wait_until_listening(server, thread);
  }
  ~Receiver() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/hooks"; }
};

constexpr const char* kSummarized = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: summarized }
start: gate
states:
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: money }
      quoted: { from: "${ .quoted }", type: money }
      customer: { from: "${ .customer }", type: id }
    summary:
      title: '${ "Charge <" + .customer + "> & co" }'
      figures:
        - { label: Total, type: money, value: "${ .amount }" }
        - { label: Customer, type: party, value: "${ .customer }" }
      compare:
        - { label: Total against the quote, type: money, value: "${ .amount }", against: "${ .quoted }", against_label: CPQ quote }
      writes:
        money.charge: "${ .amount }"
    approvers: [{ role: finance }]
    timeout: 48h
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

bool python_verifies(const std::string& secret, const std::string& header, const std::string& body,
                     std::int64_t now) {
  covenant::testing::TempDir dir;
  auto path = dir.path() / "body.json";
  std::ofstream(path, std::ios::binary) << body;
  std::string cmd = "/usr/bin/python3 " + std::string(COVENANT_SOURCE_DIR) +
                    "/tests/support/verify_webhook.py '" + secret + "' '" + header + "' '" +
                    path.string() + "' " + std::to_string(now);
  return std::system(cmd.c_str()) == 0;
}

}  // namespace

TEST_CASE("Signatures verify, and any change to body, time or secret breaks them") {
  std::string body = R"({"id":"evt_1","type":"approval.requested"})";
  auto header = sig::sign("whsec_1", 1800000000, body);
  CHECK(header.rfind("t=1800000000,v1=", 0) == 0);
  CHECK(sig::verify("whsec_1", header, body, 1800000010));
  CHECK_FALSE(sig::verify("whsec_1", header, body + " ", 1800000010));
  CHECK_FALSE(sig::verify("whsec_2", header, body, 1800000010));
  CHECK_FALSE(sig::verify("whsec_1", header, body, 1800000400));  // replayed too late
  CHECK_FALSE(sig::verify("whsec_1", "t=1800000000", body, 1800000000));
  CHECK(python_verifies("whsec_1", header, body, 1800000010));
  CHECK_FALSE(python_verifies("whsec_1", header, body + " ", 1800000010));
  // During a rotation: one v1 per secret, either verifies, a third does not.
  auto both = sig::sign(std::vector<std::string>{"whsec_2", "whsec_1"}, 1800000000, body);
  CHECK(both == "t=1800000000,v1=" + sig::hmac_sha256_hex("whsec_2", "1800000000." + body) +
                    ",v1=" + sig::hmac_sha256_hex("whsec_1", "1800000000." + body));
  CHECK(sig::verify("whsec_1", both, body, 1800000010));
  CHECK(sig::verify("whsec_2", both, body, 1800000010));
  CHECK_FALSE(sig::verify("whsec_3", both, body, 1800000010));
  CHECK_FALSE(sig::verify("whsec_1", both, body + " ", 1800000010));
  CHECK(python_verifies("whsec_1", both, body, 1800000010));
  CHECK_FALSE(python_verifies("whsec_3", both, body, 1800000010));
}

TEST_CASE(
    "The notifier retries a failing endpoint with backoff, then delivers signed webhooks "
    "whose callback tokens decide the approval") {
  ApiFixture a;
  a.add("rita", {"revops"});
  a.add("bob", {"finance"});
  Receiver rx;
  rx.failures = 2;
  a.fx.deploy(kOneGateCharge);
  a.fx.start("gate-only", {{"amount", 700}}, {"C-9", "rita", "", "default"});
  covenant::app::WebhookBridge sender;
  notify::NotifierOptions opts;
  opts.public_url = "http://127.0.0.1:8080";
  opts.first_retry = 10s;
  std::vector<notify::Endpoint> endpoints = {
      {"approvals", rx.url(), "whsec_test", {"approval.requested"}, "bob", ""},  // bob's own
      {"unreachable-but-filtered", "http://127.0.0.1:1/x", "s", {"workflow.failed"}, "", ""}};
  notify::Notifier notifier(*a.fx.store_, a.desk, sender, endpoints, a.fx.clock, opts, &a.metrics);
  REQUIRE(notifier.run_due() == 1);  // 500
  CHECK(notifier.run_due() == 0);    // not due again yet
  a.fx.clock.advance(10s);
  REQUIRE(notifier.run_due() == 1);  // 500
  a.fx.clock.advance(10s);
  CHECK(notifier.run_due() == 0);  // the second retry waits twice as long
  a.fx.clock.advance(10s);
  REQUIRE(notifier.run_due() == 1);  // delivered
  auto rows = a.fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), "");
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].status == "delivered");
  CHECK((*rows)[0].attempts == 3);
  CHECK(a.metrics.webhooks_delivered() == 1);
  CHECK(a.metrics.webhook_failures() == 2);
  REQUIRE(rx.got.size() == 3);
  auto now_s = covenant::engine::to_micros(a.fx.clock.now()) / 1000000;
  for (const auto& g : rx.got) CHECK(python_verifies("whsec_test", g.signature, g.body, now_s));
  const auto& last = rx.got.back();
  auto body = json::parse(last.body);
  CHECK(body["type"] == "approval.requested");
  CHECK(last.event_id == body["id"]);
  REQUIRE(body["data"]["callbacks"].size() == 1);  // bob; rita started it
  auto cb = body["data"]["callbacks"][0];
  CHECK(cb["approver"] == "bob");
  auto r = a.post(cb["callback_url"].get<std::string>().substr(opts.public_url.size()), cb["token"],
                  {{"decision", "approve"}, {"digest", body["data"]["approval"]["digest"]}});
  CHECK(r.status == 201);
  a.fx.drain();
  CHECK(a.fx.system.writes("money.charge") == 1);
  // Every earlier attempt carried its own token; each is still single-use and bob has decided.
  auto earlier = json::parse(rx.got.front().body)["data"]["callbacks"][0]["token"];
  CHECK(earlier != cb["token"]);
  auto again = a.post(cb["callback_url"].get<std::string>().substr(opts.public_url.size()), earlier,
                      {{"decision", "approve"}, {"digest", body["data"]["approval"]["digest"]}});
  CHECK(again.status == 409);
}

TEST_CASE("A webhook that keeps failing is marked failed after its attempts") {
  ApiFixture a;
  a.add("bob", {"finance"});
  a.fx.deploy(kOneGateCharge);
  a.fx.start("gate-only", {{"amount", 1}}, {"C-1", "rita", "", "default"});
  covenant::app::WebhookBridge sender;
  notify::NotifierOptions opts;
  opts.max_attempts = 3;
  opts.first_retry = 1s;
  // Port 1 on loopback: nothing listens, the connection is refused.
  notify::Notifier notifier(*a.fx.store_, a.desk, sender,
                            {{"dead", "http://127.0.0.1:1/x", "s", {}, "", ""}}, a.fx.clock, opts);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(notifier.run_due() == 1);
    a.fx.clock.advance(1h);
  }
  auto rows = a.fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), "");
  CHECK((*rows)[0].status == "failed");
  CHECK((*rows)[0].last_error.find("dead: cannot reach it") != std::string::npos);
  CHECK(notifier.run_due() == 0);
}

TEST_CASE(
    "An approval goes to Slack as a Block Kit message: the summary's figures, the checks that "
    "differ, and a button to the decision page that signs in only the channel's owner") {
  ApiFixture a;
  a.add("rita", {"revops"});
  a.add("bob", {"finance"});
  Receiver rx;
  a.fx.deploy(kSummarized);
  a.fx.start("summarized",
             {{"amount", {{"amount_minor", 125000}, {"currency", "USD"}}},
              {"quoted", {{"amount_minor", 120000}, {"currency", "USD"}}},
              {"customer", "acme"}},
             {"C-9", "rita", "", "default"});
  covenant::app::WebhookBridge sender;
  notify::NotifierOptions opts;
  opts.public_url = "http://127.0.0.1:8080";
  notify::Notifier notifier(*a.fx.store_, a.desk, sender,
                            {{"bob-slack", rx.url(), "", {"approval.requested"}, "bob", "slack"},
                             {"team-slack", rx.url(), "", {"approval.requested"}, "", "slack"}},
                            a.fx.clock, opts);
  REQUIRE(notifier.run_due() == 1);
  REQUIRE(rx.got.size() == 2);
  std::string own_token;
  for (const auto& got : rx.got) {
    INFO(got.body);
    CHECK(got.signature.empty());  // a Slack webhook's URL is its secret: nothing to sign
    auto m = json::parse(got.body);
    CHECK(m["text"] == "Your approval is requested: Charge <acme> & co");
    const auto& blocks = m["blocks"];
    CHECK(blocks[0]["type"] == "header");
    CHECK(blocks[0]["text"]["text"] == "Charge <acme> & co");  // plain text: as written
    std::string all = blocks.dump();
    // Figures as a person reads them, mrkdwn escaped; the differing check flagged.
    CHECK(all.find("*Total*\\nUSD 1,250.00") != std::string::npos);
    CHECK(all.find(":warning: *Total against the quote*: USD 1,250.00 against USD 1,200.00 "
                   "(CPQ quote)") != std::string::npos);
    CHECK(all.find("Approving writes: money.charge USD 1,250.00") != std::string::npos);
    CHECK(all.find("decide by ") != std::string::npos);
    const auto& actions = blocks.back();
    REQUIRE(actions["type"] == "actions");
    std::string url = actions["elements"][0]["url"];
    CHECK(url.rfind("http://127.0.0.1:8080/ui/inbox.html?approval=apr_", 0) == 0);
    auto hash = url.find("#token=");
    // Only bob's own channel carries his token; the team channel gets the page.
    if (hash != std::string::npos) {
      CHECK(own_token.empty());
      own_token = url.substr(hash + 7);
    }
  }
  REQUIRE(own_token.size() == 68);
  auto who = a.desk.authenticate_token(own_token);
  REQUIRE(who);
  CHECK(who->principal.name == "bob");
}

TEST_CASE(
    "A stored webhook row naming no namespace is reported on the row, and the notifier "
    "goes on") {
  ApiFixture a;
  a.add("bob", {"finance"});
  covenant::engine::store::OutboxRow damaged;
  damaged.topic = "approval.requested";
  damaged.instance_id = "inst-x";
  damaged.approval_id = "apr_x";
  damaged.payload = {{"id", "evt_x"}, {"type", "approval.requested"}};
  damaged.next_us = covenant::engine::to_micros(a.fx.clock.now());
  damaged.created_us = damaged.next_us;
  damaged.ns = "Not A Namespace";  // as a hand-edited or damaged row would hold
  {
    auto tx = a.fx.store_->begin(covenant::engine::store::Scope::all());
    REQUIRE(tx);
    REQUIRE(a.fx.store_->outbox.enqueue(**tx, {damaged}));
    REQUIRE((*tx)->commit());
  }
  covenant::app::WebhookBridge sender;
  notify::NotifierOptions opts;
  opts.first_retry = 1s;
  notify::Notifier notifier(*a.fx.store_, a.desk, sender,
                            {{"approvals", "http://127.0.0.1:1/x", "s", {}, "bob", ""}}, a.fx.clock,
                            opts);
  REQUIRE(notifier.run_due() == 1);  // handled, not thrown
  auto rows = a.fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), "inst-x");
  REQUIRE(rows);
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].status == "pending");
  CHECK((*rows)[0].last_error.find("names no namespace") != std::string::npos);
}

TEST_CASE(
    "A webhook secret rotates: both secrets sign during the overlap, the new one alone after "
    "it, the rotation is an event in the namespace's log, and an endpoint gets only its "
    "namespace's webhooks") {
  ApiFixture a;
  a.add("rita", {"revops"});
  a.add("bob", {"finance"});
  Receiver rx, other_rx;
  a.fx.deploy(kOneGateCharge);
  auto t0 = covenant::engine::to_micros(a.fx.clock.now());
  std::int64_t until_s = t0 / 1'000'000 + 3600;
  notify::Endpoint before;
  before.name = "erp";
  before.url = rx.url();
  before.secret = "whsec_old";
  notify::Endpoint rotated = before;
  rotated.secret = "whsec_new";
  rotated.previous_secret = "whsec_old";
  rotated.previous_until_s = until_s;
  notify::Endpoint acme_only;
  acme_only.name = "acme-erp";
  acme_only.url = other_rx.url();
  acme_only.secret = "whsec_acme";
  acme_only.ns = "acme";

  // The keys in use are recorded: the first as added, the new secret as a rotation whose
  // overlap is the config's, once; the secrets themselves are not stored.
  auto& store = *a.fx.store_;
  REQUIRE(notify::record_keys(store, {before, acme_only}, t0, "serve:test") == 2);
  REQUIRE(notify::record_keys(store, {rotated, acme_only}, t0 + 1000, "serve:test") == 1);
  REQUIRE(notify::record_keys(store, {rotated, acme_only}, t0 + 2000, "serve:test") == 0);
  auto log = store.keys.events("default", 0, 100);
  REQUIRE(log);
  REQUIRE(log->size() == 2);
  CHECK(log->at(0).kind == "key.added");
  CHECK(log->at(1).kind == "key.rotated");
  CHECK(log->at(1).actor == "serve:test");
  auto detail = json::parse(log->at(1).detail);
  CHECK(detail["owner"] == "erp");
  CHECK(detail["key_id"] == notify::secret_key_id("whsec_new"));
  CHECK(detail["previous_key_id"] == notify::secret_key_id("whsec_old"));
  CHECK(detail["previous_valid_until"] ==
        covenant::engine::format_rfc3339(covenant::engine::from_micros(until_s * 1'000'000)));
  CHECK(log->at(1).detail.find("whsec_") == std::string::npos);
  auto acme_log = store.keys.events("acme", 0, 100);
  REQUIRE(acme_log);
  REQUIRE(acme_log->size() == 1);
  CHECK(json::parse(acme_log->at(0).detail)["owner"] == "acme-erp");

  covenant::app::WebhookBridge sender;
  notify::NotifierOptions opts;
  opts.public_url = "http://127.0.0.1:8080";
  notify::Notifier notifier(store, a.desk, sender, {rotated, acme_only}, a.fx.clock, opts);
  a.fx.start("gate-only", {{"amount", 700}}, {"C-1", "rita", "", "default"});
  REQUIRE(notifier.run_due() == 1);
  REQUIRE(rx.got.size() == 1);
  auto now_s = covenant::engine::to_micros(a.fx.clock.now()) / 1'000'000;
  const auto& during = rx.got.back();
  INFO(during.signature);
  CHECK(during.signature.find(",v1=") != during.signature.rfind(",v1="));  // two
  // A receiver with either secret verifies: one not changed over yet, and one that has.
  CHECK(python_verifies("whsec_old", during.signature, during.body, now_s));
  CHECK(python_verifies("whsec_new", during.signature, during.body, now_s));
  CHECK(sig::verify("whsec_old", during.signature, during.body, now_s));
  CHECK(sig::verify("whsec_new", during.signature, during.body, now_s));
  CHECK_FALSE(python_verifies("whsec_other", during.signature, during.body, now_s));

  // After the overlap only the new secret signs.
  a.fx.clock.advance(2h);
  a.fx.start("gate-only", {{"amount", 800}}, {"C-2", "rita", "", "default"});
  REQUIRE(notifier.run_due() == 1);
  REQUIRE(rx.got.size() == 2);
  now_s = covenant::engine::to_micros(a.fx.clock.now()) / 1'000'000;
  const auto& after = rx.got.back();
  CHECK(after.signature.find(",v1=") == after.signature.rfind(",v1="));  // one
  CHECK(python_verifies("whsec_new", after.signature, after.body, now_s));
  CHECK_FALSE(python_verifies("whsec_old", after.signature, after.body, now_s));
  CHECK_FALSE(sig::verify("whsec_old", after.signature, after.body, now_s));

  // The acme endpoint got nothing of the default namespace's.
  CHECK(other_rx.got.empty());
}
