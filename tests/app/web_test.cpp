// The web pages in a real browser (Debian's Chromium, headless, driven by chromedriver)
// against the API on a real socket on 127.0.0.1: an approver signs in, reads the subject as
// tables, approves, and the instance proceeds to its financial task; the instance page then
// shows the state graph and the history.
#include "app/http/server.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/support/webdriver.hpp"

#include <thread>

using covenant::testing::ApiFixture;
using covenant::testing::Browser;

namespace {

constexpr const char* kBilling = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: web-billing }
start: finance_review
states:
  finance_review:
    type: approval
    authorizes: [money.charge]
    subject: "${ {customer: .customer, amount: .amount, lines: .lines} }"
    approvers: [{ role: finance }]
    timeout: 72h
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

struct Served {
  ApiFixture a;
  covenant::app::http::Server server{a.api};
  std::thread thread;
  int port = 0;
  Served() {
    port = server.bind("127.0.0.1", 0);
    REQUIRE(port > 0);
    thread = std::thread([this] { server.run(); });
  }
  ~Served() {
    server.stop();
    thread.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
};

}  // namespace

TEST_CASE(
    "In the browser, an approver approves a pending billing step and the instance "
    "proceeds to the financial task") {
  Served s;
  s.a.add("rita", {"revops"});
  auto bob = s.a.add("bob", {"finance"});
  s.a.fx.deploy(kBilling);
  auto id = s.a.fx.start(
      "web-billing",
      {{"customer", "cus_acme"},
       {"amount", {{"amount_minor", 125000}, {"currency", "USD"}}},
       {"lines",
        {{{"product", "Platform"}, {"quantity", 10}, {"amount_minor", 100000}, {"currency", "USD"}},
         {{"product", "Support"}, {"quantity", 1}, {"amount_minor", 25000}, {"currency", "USD"}}}}},
      {"C-1042", "rita", "", "default"});
  s.a.fx.drain();
  CHECK(s.a.fx.system.calls("money.charge") == 0);

  Browser b;
  b.go(s.url("/ui/inbox.html"));
  b.type("#token", "cov_" + std::string(64, '0'));
  b.click("#sign-in");
  b.wait_for_text("#login-error", "not valid");

  b.type("#token", bob);
  b.click("#sign-in");
  b.wait_for("article.approval");
  auto card = b.text("article.approval");
  CHECK(card.find("C-1042") != std::string::npos);
  CHECK(card.find("USD 1,250.00") != std::string::npos);  // the amount, from minor units
  CHECK(card.find("USD 1,000.00") != std::string::npos);  // a line of the products table
  INFO(card);
  CHECK(card.find("Platform") != std::string::npos);
  auto rows = s.a.fx.store_->approvals_of_instance(id);
  REQUIRE(rows);
  CHECK(card.find((*rows)[0].digest) != std::string::npos);

  b.type("article.approval textarea", "Matches the order form");
  b.click("article.approval button.approve");
  b.wait_for_text("article.approval .result", "Approved. The gate is now granted.");

  s.a.fx.drain();
  CHECK(s.a.fx.system.writes("money.charge") == 1);
  CHECK(s.a.fx.instance(id).status == "completed");
  auto decided = s.a.fx.store_->approval((*rows)[0].id);
  CHECK((*decided)->decisions[0]["comment"] == "Matches the order form");
  CHECK((*decided)->decisions[0]["approver"] == "bob");

  // The read-only instance page, for an auditor.
  auto audrey = s.a.add("audrey", {"auditor"});
  b.script("sessionStorage.clear()");
  b.go(s.url("/ui/instance.html?id=" + id));
  b.type("#token", audrey);
  b.click("#login button");
  b.wait_for_text("#meta", "status completed");
  b.wait_for("#graph-image");
  auto history = b.wait_for_text("#history", "WritebackCommitted");
  CHECK(history.find("ApprovalGranted") != std::string::npos);
  b.wait_for_text("#approvals", "granted");
}
