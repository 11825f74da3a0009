// The web pages in a real browser (Debian's Chromium, headless, driven by chromedriver)
// against the API on a real socket on 127.0.0.1: an approver signs in, reads the subject as
// tables, approves, and the instance proceeds to its financial task; the instance page then
// shows the state graph and the history.
#include "app/book_generator.hpp"
#include "app/composition.hpp"
#include "app/http/server.hpp"
#include "engine/clock.hpp"
#include "tests/app/api_fixture.hpp"
#include "tests/support/webdriver.hpp"
#include "workflows/money.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
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
    subject:
      customer: { from: "${ .customer }", type: id }
      amount: { from: "${ .amount }", type: money }
      lines: { from: "${ .lines }", type: list }
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

// Runs the shipped demo into `out` (`--auto-approve` or `--no-approve`) and REQUIREs it ends well.
void run_demo(const covenant::testing::TempDir& out, const std::string& mode) {
  std::string cmd = std::string("python3 ") + COVENANT_SOURCE_DIR + "/scripts/demo.py " +
                    COVENANT_BUILD_DIR + " " + mode + " --out " + out.path().string() + " >" +
                    (out.path() / "demo.log").string() + " 2>&1 </dev/null";
  int rc = std::system(cmd.c_str());
  std::ifstream log(out.path() / "demo.log");
  std::string tail((std::istreambuf_iterator<char>(log)), {});
  INFO(cmd << "\n" << tail.substr(tail.size() > 3000 ? tail.size() - 3000 : 0));
  REQUIRE(rc == 0);
}

// The shipped demo serving in the background (scripts/demo.py --serve) with its sandbox and
// workers, from its finance gate until the test ends: people decide and review in the browser.
struct ServingDemo {
  covenant::testing::TempDir out;
  pid_t pid = -1;
  nlohmann::json ready;  // {api, instance, approval, tokens}

  ServingDemo() {
    auto log = (out.path() / "demo.log").string();
    auto ready_file = out.path() / "ready.json";
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      setpgid(0, 0);  // its own group: the sandbox and serve stop with it
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int null = open("/dev/null", O_RDONLY);
      if (fd >= 0) dup2(fd, 1), dup2(fd, 2);
      if (null >= 0) dup2(null, 0);
      std::string script = std::string(COVENANT_SOURCE_DIR) + "/scripts/demo.py";
      std::string out_dir = out.path().string(), ready_path = ready_file.string();
      execlp("python3", "python3", script.c_str(), COVENANT_BUILD_DIR, "--serve", "--out",
             out_dir.c_str(), "--ready", ready_path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    setpgid(pid, pid);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    while (!std::filesystem::exists(ready_file)) {
      int status = 0;
      bool ended = waitpid(pid, &status, WNOHANG) == pid;
      if (ended) pid = -1;
      if (ended || std::chrono::steady_clock::now() > deadline) {
        std::ifstream in(log);
        std::string text((std::istreambuf_iterator<char>(in)), {});
        FAIL("the demo did not reach its finance gate:\n"
             << text.substr(text.size() > 3000 ? text.size() - 3000 : 0));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::ifstream in(ready_file);
    ready = nlohmann::json::parse(in);
  }
  ~ServingDemo() {
    if (pid <= 0) return;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (waitpid(pid, nullptr, WNOHANG) == pid) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::string url(const std::string& path) const { return ready["api"].get<std::string>() + path; }
  std::string token(const std::string& who) const { return ready["tokens"][who]; }
};

void sign_in(Browser& b, const std::string& url, const std::string& token, const char* button) {
  b.go(url);
  b.script("sessionStorage.clear()");
  b.go(url);
  b.type("#token", token);
  b.click(button);
}

// The API of the engine on a demo's database, on a real socket on 127.0.0.1.
struct DemoServer {
  std::unique_ptr<covenant::app::Engine> eng;
  std::optional<covenant::app::http::Api> api;
  std::optional<covenant::app::http::Server> server;
  std::thread thread;
  int port = 0;
  explicit DemoServer(const covenant::testing::TempDir& out) {
    auto opened = covenant::app::open_engine("sqlite:" + (out.path() / "covenant.db").string());
    REQUIRE(opened);
    eng = std::move(*opened);
    api.emplace(eng->services("http://127.0.0.1"));
    covenant::app::http::add_all_routes(*api);
    server.emplace(*api);
    port = server->bind("127.0.0.1", 0);
    REQUIRE(port > 0);
    thread = std::thread([this] { server->run(); });
  }
  ~DemoServer() {
    server->stop();
    thread.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  std::string contract_to_cash() {
    covenant::engine::store::InstanceFilter f;
    f.workflow = "contract-to-cash";
    auto list = eng->store->instances.find(covenant::engine::store::Scope::all(), f);
    REQUIRE(list);
    REQUIRE(list->size() == 1);
    CHECK(list->front().business_key == "C-1042");
    return list->front().id;
  }
};

// What a page must never show as text: a value the page failed to format.
std::string leaked_nothing(Browser& b) {
  return b
      .script(
          R"JS(const t = document.body.innerText;
const m = t.match(/\b(undefined|null|NaN)\b|\[object Object\]/g);
const at = t.search(/\b(undefined|null|NaN)\b|\[object Object\]/);
return m ? m.join(", ") + " (at: " + t.substring(Math.max(0, at - 80), at + 40) + ")" : "";)JS")
      .get<std::string>();
}

// The page's accessibility problems that axe-core (tests/a11y, installed by
// scripts/setup-deps) rates serious or critical, one line each; empty when there are none.
std::string serious_a11y_problems(Browser& b) {
  auto path =
      std::filesystem::path(COVENANT_SOURCE_DIR) / "tests/a11y/node_modules/axe-core/axe.min.js";
  std::ifstream in(path);
  INFO("axe-core is installed by scripts/setup-deps: " << path);
  REQUIRE(in.good());
  std::string axe((std::istreambuf_iterator<char>(in)), {});
  REQUIRE(axe.size() > 100000);
  b.script(axe + "\nreturn typeof window.axe;");
  auto found = b.script_async(R"JS(const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then((r) => done(r.violations
  .filter((v) => v.impact === "serious" || v.impact === "critical")
  .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.length}x, e.g. ${v.nodes[0].target.join(" ")})`)
  .join("\n"))).catch((e) => done("axe failed: " + e));)JS");
  return found.get<std::string>();
}

// Whether the page is wider than the window (a table or a word overflowing its card).
bool overflows(Browser& b) {
  return b.script("return document.documentElement.scrollWidth > window.innerWidth").get<bool>();
}

// Opens a view signed in as `token` and waits until its rows are there (or said to be none).
void open_view(Browser& b, const std::string& base, const std::string& query,
               const std::string& token) {
  std::string url = base + "/ui/views.html?" + query;
  b.go(url);
  b.script("sessionStorage.clear()");
  b.go(url);
  b.wait_for("#login-card:not(.hidden)");  // once the page's scripts have run
  b.type("#token", token);
  b.click("#login button");
  b.wait_for_text("#rows-meta", " ");
}

// What every view must be: a chart drawn (as SVG) with its figures in the table beside it,
// nothing unformatted, nothing wider than a laptop's or a phone's screen, nothing axe rates
// serious.
void check_view_page(Browser& b, const std::string& what) {
  INFO(what);
  CHECK(b.text("#error") == "");
  CHECK(b.script("return !!document.querySelector('#chart svg')").get<bool>());
  CHECK(b.script("return document.querySelectorAll('#figures tbody tr').length").get<int>() > 0);
  CHECK(leaked_nothing(b) == "");
  CHECK(serious_a11y_problems(b) == "");
  for (int width : {1280, 390}) {
    b.resize(width, 800);
    INFO("at " << width << " px");
    CHECK_FALSE(overflows(b));
  }
  b.resize(1280, 800);
}

// Loads every page of the view's rows (the More button) and returns how many rows there are.
int all_rows(Browser& b) {
  for (int i = 0; i < 200 && b.exists("#more:not(.hidden)"); ++i) {
    int before = b.script("return document.querySelectorAll('#rows tbody tr').length").get<int>();
    b.click("#more");
    for (int k = 0; k < 200; ++k) {
      if (b.script("return document.querySelectorAll('#rows tbody tr').length").get<int>() > before)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return b.script("return document.querySelectorAll('#rows tbody tr').length").get<int>();
}

// The view's CSV export as the page fetches it, in lines (header included).
int csv_lines_of(Browser& b, const std::string& api_path) {
  auto text = b.script_async(
      "const done = arguments[arguments.length - 1];"
      "Covenant.api('GET', '" +
      api_path + "').then((t) => done(t)).catch((e) => done('failed: ' + e));");
  std::string csv = text.get<std::string>();
  INFO(csv.substr(0, 300));
  // (the byte order mark the API sends is read away by the browser's text decoding)
  REQUIRE(csv.rfind("contract_id,", 0) == 0);
  int lines = 0;
  for (std::size_t pos = 0; (pos = csv.find("\r\n", pos)) != std::string::npos; pos += 2) ++lines;
  return lines;
}

}  // namespace

TEST_CASE(
    "The decision page of the demo contract: the summary first, on one screen, readable on a "
    "phone, and a rejection needs its reason") {
  covenant::testing::TempDir out;
  run_demo(out, "--no-approve");
  DemoServer d(out);
  std::string id = d.contract_to_cash();
  auto fiona = d.eng->principals->add("default", "fiona", {"finance"});
  REQUIRE(fiona);

  Browser b;
  b.resize(1280, 800);
  b.go(d.url("/ui/inbox.html"));
  b.type("#token", *fiona);
  b.click("#sign-in");
  b.wait_for("article.approval");
  CHECK(b.text("#who") == "Signed in as fiona (finance)");
  auto title = b.text("article.approval h2");
  CHECK(title == "Billing plan for Acme Corporation, contract C-1042");
  // The customer by name with its account, the total, the dates in words.
  CHECK(b.text("[data-figure='Customer']").find("Acme Corporation\nACC-1001") != std::string::npos);
  CHECK(b.text("[data-figure='Total'] .value") == "USD 52,200.00");
  CHECK(b.text("[data-figure='Service starts'] .value").find("2027") != std::string::npos);
  // The plan checked against the quote, the opportunity and the company's standard.
  auto checks = b.text("table.comparisons");
  INFO(checks);
  CHECK(b.script("return document.querySelectorAll('table.comparisons tr.ok').length").get<int>() ==
        4);
  CHECK(checks.find("CPQ quote") != std::string::npos);
  CHECK(checks.find("CRM opportunity") != std::string::npos);
  // What approving writes where, with the amounts.
  auto writes = b.text(".writes");
  CHECK(writes.find("billing.create_invoice — USD 900.00") != std::string::npos);
  CHECK(writes.find("erp.create_revenue_schedule — USD 52,200.00") != std::string::npos);
  CHECK(writes.find("billing.finalize_invoice") != std::string::npos);
  // Summary and decision fit one laptop screen: the Approve button is in view unscrolled.
  CHECK(b.script("return document.querySelector('button.approve').getBoundingClientRect().bottom "
                 "<= window.innerHeight")
            .get<bool>());
  // The terms behind the plan with their evidence, and a link to each passage.
  b.click("details.terms summary");
  auto terms = b.text("details.terms");
  CHECK(terms.find("payment terms") != std::string::npos);
  CHECK(terms.find("net 30") != std::string::npos);
  CHECK(b.exists("details.terms a[href*='audit.html?id=" + id + "#term-payment_terms']"));
  b.click("details.subject summary");
  // Revenue entries in minor units are money in the schedule's currency, not raw numbers.
  auto subject = b.text("details.subject");
  CHECK(subject.find("USD 3,372.11") != std::string::npos);
  CHECK(subject.find("337211") == std::string::npos);
  CHECK(leaked_nothing(b) == "");
  CHECK(serious_a11y_problems(b) == "");
  CHECK_FALSE(overflows(b));
  b.resize(390, 844);
  CHECK_FALSE(overflows(b));
  CHECK(leaked_nothing(b) == "");

  // A rejection without a reason is not sent; with one, it is recorded and the instance
  // goes where the definition says (the rejected state fails it).
  b.click("article.approval button.reject");
  b.wait_for_text("article.approval .result", "Say why you reject");
  auto rows = d.eng->store->approvals.of_instance(covenant::engine::store::Scope::all(), id);
  REQUIRE(rows);
  CHECK((*rows)[0].decisions.empty());
  b.type("article.approval textarea", "The onboarding fee is not in the order form");
  b.click("article.approval button.reject");
  b.wait_for_text("article.approval .result", "Rejected. The gate is now rejected.");
  auto decided = d.eng->store->approvals.get(covenant::engine::store::Scope::all(), (*rows)[0].id);
  REQUIRE(decided);
  CHECK((*decided)->decisions[0]["comment"] == "The onboarding fee is not in the order form");
}

TEST_CASE(
    "In the browser, the pages act in the signed-in principal's namespace, show it, and switch "
    "between the namespaces the tab signed in to") {
  Served s;
  s.a.add("rita", {"revops"});
  s.a.add_in("acme", "ruth", {"revops"});
  auto bob = s.a.add("bob", {"finance"});
  auto bea = s.a.add_in("acme", "bea", {"finance"});
  s.a.fx.deploy(kBilling);
  covenant::testing::TestCatalog catalog;
  auto compiled = covenant::workflows::compile(kBilling, "web-billing.yaml", catalog);
  REQUIRE(compiled.workflow);
  REQUIRE(s.a.fx.store_->definitions.put("acme", "web-billing", compiled.workflow->digest(),
                                         kBilling, compiled.workflow->canonical_text(), 1000));
  nlohmann::json input = {{"customer", "cus_acme"},
                          {"amount", {{"amount_minor", 125000}, {"currency", "USD"}}},
                          {"lines", nlohmann::json::array()}};
  s.a.fx.start("web-billing", input, {"C-DEFAULT", "rita", "", "default"});
  s.a.fx.start("web-billing", input, {"C-ACME", "ruth", "", "acme"});
  s.a.fx.drain();

  Browser b;
  sign_in(b, s.url("/ui/inbox.html"), bea, "#sign-in");
  auto card = b.wait_for_text("article.approval", "C-ACME");
  CHECK(card.find("C-DEFAULT") == std::string::npos);
  b.wait_for_text("#namespace", "acme");
  CHECK(b.text("#namespace-name") == "acme");
  // A second namespace in the same tab: the switcher lists both.
  b.click("#namespace-add");
  b.type("#token", bob);
  b.click("#sign-in");
  card = b.wait_for_text("article.approval", "C-DEFAULT");
  CHECK(card.find("C-ACME") == std::string::npos);
  b.wait_for("#namespace-select");
  CHECK(b.script("return [...document.querySelectorAll('#namespace-select option')].map((o) => "
                 "o.value).join(',')") == "acme,default");
  CHECK(b.script("return document.getElementById('namespace-select').value") == "default");
  CHECK(serious_a11y_problems(b) == "");
  b.script(
      "const s = document.getElementById('namespace-select'); s.value = 'acme'; "
      "s.dispatchEvent(new Event('change'))");
  card = b.wait_for_text("article.approval", "C-ACME");
  CHECK(card.find("C-DEFAULT") == std::string::npos);
  CHECK(b.script("return document.getElementById('namespace-select').value") == "acme");
}

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
  auto rows = s.a.fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), id);
  REQUIRE(rows);
  CHECK(card.find((*rows)[0].digest) != std::string::npos);

  b.type("article.approval textarea", "Matches the order form");
  b.click("article.approval button.approve");
  b.wait_for_text("article.approval .result", "Approved. The gate is now granted.");

  s.a.fx.drain();
  CHECK(s.a.fx.system.writes("money.charge") == 1);
  CHECK(s.a.fx.instance(id).status == "completed");
  auto decided = s.a.fx.store_->approvals.get(covenant::engine::store::Scope::all(), (*rows)[0].id);
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
  // Each step with its input and its outcome, re-decided from the history.
  b.wait_for_text("#steps", "money.charge");
  b.script("document.querySelectorAll('#steps details').forEach((d) => d.open = true)");
  auto steps = b.text("#steps");
  INFO(steps);
  CHECK((steps.find("1,250.00") != std::string::npos ||  // the charge's input amount
         steps.find("125000") != std::string::npos));
  CHECK(steps.find("ok") != std::string::npos);
  CHECK(steps.find("undefined") == std::string::npos);
  CHECK(serious_a11y_problems(b) == "");
}

TEST_CASE(
    "The audit page of the demo contract shows every approval and every write, linked to "
    "the terms and the evidence they came from") {
  // The shipped demo, approved by its demo approver, leaves a real contract-to-cash history.
  covenant::testing::TempDir out;
  run_demo(out, "--auto-approve");
  DemoServer d(out);
  std::string id = d.contract_to_cash();
  auto audrey = d.eng->principals->add("default", "audrey", {"auditor"});
  REQUIRE(audrey);
  auto& api = *d.api;
  int port = d.port;

  // The trail by customer: the contract resolved to Acme Corporation (ACC-1001).
  auto by_customer = [&](const std::string& customer) {
    covenant::app::http::Request r;
    r.path = "/v1/audit/events";
    r.query = {{"customer", customer}, {"limit", "1000"}};
    r.headers["authorization"] = "Bearer " + *audrey;
    auto res = api.handle(r);
    REQUIRE(res.status == 200);
    return nlohmann::json::parse(res.body)["events"];
  };
  auto acme = by_customer("ACC-1001");
  CHECK(acme.size() > 50);
  for (const auto& e : acme) CHECK(e["instance"] == id);
  CHECK(by_customer("Acme Corporation").size() == acme.size());
  CHECK(by_customer("ACC-1002").empty());

  Browser b;
  b.go("http://127.0.0.1:" + std::to_string(port) + "/ui/audit.html?id=" + id);
  b.type("#token", *audrey);
  b.click("#login button");
  b.wait_for_text("#chain", "hash chain intact");
  // Every approval: who, role, comment, the digest.
  auto approvals = b.wait_for_text("#approvals", "demo-approver");
  CHECK(approvals.find("finance") != std::string::npos);
  CHECK(approvals.find("granted") != std::string::npos);
  CHECK(approvals.find("Demo approver: matches the contract") != std::string::npos);
  // Every write: the invoice with its amount, the subscription, the revenue schedule.
  auto writes = b.wait_for_text("#writebacks", "billing.create_invoice");
  CHECK(writes.find("USD 900.00") != std::string::npos);
  // Both milestone invoices: the signing one here, the go-live one from milestone-billing.
  CHECK(b.script("return document.querySelectorAll(\"tr.writeback[data-activity='billing.create_"
                 "invoice']\").length")
            .get<int>() == 2);
  CHECK(writes.find("milestone-billing") != std::string::npos);
  CHECK(b.text("#approvals").find("approve: granted") != std::string::npos);
  CHECK(writes.find("billing.create_subscription") != std::string::npos);
  CHECK(writes.find("erp.create_revenue_schedule") != std::string::npos);
  CHECK(writes.find("USD 52,200.00") != std::string::npos);
  // The invoice links back to the milestone terms; following the link marks the clause.
  b.wait_for("tr.writeback[data-activity='billing.create_invoice'] a[data-term='milestones']");
  b.click("tr.writeback[data-activity='billing.create_invoice'] a[data-term='milestones']");
  auto marked = b.script(
      "return [...document.querySelectorAll('mark.focus')].map(m => m.textContent).join('')");
  CHECK(marked.get<std::string>().find("50% upon signature") != std::string::npos);
  CHECK(b.exists("tr#term-milestones.focus"));
  // The terms table and the contract text with its evidence.
  auto terms = b.text("#terms");
  CHECK(terms.find("payment terms") != std::string::npos);
  CHECK(b.text("#contract").find("MASTER SUBSCRIPTION AGREEMENT") != std::string::npos);
  CHECK(b.text("#document-meta").find("SHA-256") != std::string::npos);
  CHECK(b.text("#exceptions").find("provisioning.confirmed") != std::string::npos);
  CHECK(b.text("#timeline").find("WorkflowStarted") != std::string::npos);
  CHECK(serious_a11y_problems(b) == "");
  CHECK(leaked_nothing(b) == "");
  for (int width : {1280, 390}) {
    b.resize(width, 800);
    INFO("the audit page at " << width << " px");
    CHECK_FALSE(overflows(b));
  }
  // The instance page of the same history: every event's payload shown, nothing unformatted.
  b.go("http://127.0.0.1:" + std::to_string(port) + "/ui/instance.html?id=" + id);
  b.wait_for_text("#meta", "status running");
  b.wait_for_text("#history", "WritebackCommitted");
  while (b.exists("#more:not(.hidden)")) {
    auto before =
        b.script("return document.querySelectorAll('#history tr.event').length").get<int>();
    b.click("#more");
    for (int i = 0; i < 100; ++i) {
      if (b.script("return document.querySelectorAll('#history tr.event').length").get<int>() >
          before)
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(leaked_nothing(b) == "");
  for (int width : {1280, 390}) {
    b.resize(width, 800);
    INFO("the instance page at " << width << " px");
    CHECK_FALSE(overflows(b));
  }
  CHECK(serious_a11y_problems(b) == "");
}

TEST_CASE(
    "Finance requests changes on the demo contract, a reviewer corrects the service start in "
    "the review, and the gate opens again on the corrected plan under a new digest") {
  ServingDemo d;
  std::string id = d.ready["instance"];
  Browser b;
  b.resize(1280, 800);
  // The approver's Slack message (in the sandbox's Slack) has the summary and a button whose
  // link signs them in for this one approval.
  std::string slack_url;
  for (int i = 0; i < 100 && slack_url.empty(); ++i) {
    b.go(d.ready["sandbox"].get<std::string>() + "/_sandbox/records?system=slack");
    auto page = b.text("body");
    auto found = page.find("#token=cbt_");
    if (found != std::string::npos) {
      auto begin = page.rfind("http://", found);
      slack_url = page.substr(begin, found + 7 + 68 - begin);
      CHECK(page.find("USD 52,200.00") != std::string::npos);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  REQUIRE_FALSE(slack_url.empty());
  b.go("about:blank");
  b.go(slack_url);
  b.wait_for_text("#who", "with a link for one approval");
  CHECK(b.text("#who").find("demo-approver") != std::string::npos);
  CHECK(b.script("return location.hash").get<std::string>().empty());  // the token left the bar
  CHECK(
      b.exists("article.approval[data-approval='" + d.ready["approval"].get<std::string>() + "']"));
  sign_in(b, d.url("/ui/inbox.html"), d.token("demo-approver"), "#sign-in");
  b.wait_for("article.approval button.changes");
  std::string first_digest = b.text("article.approval .digest");
  CHECK(first_digest.size() == 64);
  CHECK(b.text("[data-figure='Service starts'] .value").find("Feb") != std::string::npos);

  // A request for changes says what to change.
  b.click("article.approval button.changes");
  b.wait_for_text("article.approval .result", "Say what to change");
  b.type("article.approval textarea",
         "Service starts March 1, 2027: the kickoff moved (CRM activity 00T-4471)");
  b.click("article.approval button.changes");
  b.wait_for_text("article.approval .result", "Sent back for changes (to review terms)");

  // The reviewer sees why, and corrects the dates with a reason and the passage.
  // The reviewer finds it in the list of reviews, with finance's comment.
  sign_in(b, d.url("/ui/review.html"), d.token("revops-demo"), "#login button");
  auto listed = b.wait_for_text("#list", "contract C-1042", std::chrono::seconds(60));
  CHECK(listed.find("finance asked for changes: “Service starts March 1") != std::string::npos);
  b.click("#list a");
  b.wait_for("fieldset[data-field='effective_date']", std::chrono::seconds(60));
  CHECK(b.text("#asked").find("the kickoff moved") != std::string::npos);
  CHECK(b.text("#asked").find("demo-approver") != std::string::npos);
  auto effective = b.text("fieldset[data-field='effective_date']");
  CHECK(effective.find("Feb 1, 2027") != std::string::npos);
  CHECK(effective.find("February 1, 2027") != std::string::npos);  // its evidence
  CHECK(leaked_nothing(b) == "");
  CHECK(serious_a11y_problems(b) == "");
  CHECK_FALSE(overflows(b));
  b.resize(390, 844);
  CHECK_FALSE(overflows(b));
  b.resize(1280, 800);
  auto set = [&](const std::string& css, const std::string& value) {
    b.script("const e = document.querySelector(" + nlohmann::json(css).dump() +
             "); e.value = " + nlohmann::json(value).dump() + ";");
  };
  set("#term-effective_date-date", "2027-03-01");
  // A change without its reason is not sent.
  b.click("#send");
  b.wait_for_text("#result", "Say why you change effective date");
  b.type("#term-effective_date-reason", "The kickoff moved to March 1 (CRM activity 00T-4471)");
  b.type("#term-effective_date-evidence", "shall commence on the Effective Date");
  set("#term-expiration_date-date", "2028-03-01");
  b.type("#term-expiration_date-reason", "Twelve months from the moved start");
  b.click("#send");
  b.wait_for_text("#result", "Sent: 2 correction(s)");

  // The plan is computed again; the gate opens anew on the corrected plan.
  sign_in(b, d.url("/ui/inbox.html"), d.token("demo-approver"), "#sign-in");
  std::string second_digest;
  for (int i = 0; i < 120 && second_digest.empty(); ++i) {
    b.go(d.url("/ui/inbox.html"));
    b.wait_for("article.approval, #approvals p.empty");
    if (b.exists("article.approval")) {
      auto digest = b.text("article.approval .digest");
      if (digest != first_digest) second_digest = digest;
    }
    if (second_digest.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  REQUIRE(second_digest.size() == 64);
  CHECK(b.text("[data-figure='Service starts'] .value").find("Mar 1, 2027") != std::string::npos);
  CHECK(b.text("[data-figure='Service ends'] .value").find("Mar 1, 2028") != std::string::npos);
  CHECK(leaked_nothing(b) == "");
  b.type("article.approval textarea", "Matches the moved start");
  b.click("article.approval button.approve");
  b.wait_for_text("article.approval .result", "Approved. The gate is now granted.");

  // The audit page lists the request and the corrections with who, what and why.
  sign_in(b, d.url("/ui/audit.html?id=" + id), d.token("demo-auditor"), "#login button");
  auto exceptions = b.wait_for_text("#exceptions", "ValueCorrected", std::chrono::seconds(60));
  CHECK(exceptions.find("effective_date: 2027-02-01 → 2027-03-01 (The kickoff moved") !=
        std::string::npos);
  CHECK(exceptions.find("ApprovalChangesRequested") != std::string::npos);
  auto row = b.wait_for_text("#term-effective_date", "corrected by revops-demo");
  CHECK(row.find("2027-03-01") != std::string::npos);
  CHECK(b.text("#approvals").find("request changes") != std::string::npos);
  CHECK(leaked_nothing(b) == "");
}

TEST_CASE(
    "The views render a generated book of 1,000 contracts: charts with their figures, filters, "
    "CSV exports, and revenue that ties to the schedules to the minor unit") {
  covenant::testing::TempDir out;
  std::map<std::string, std::int64_t> scheduled;
  {
    auto store = covenant::engine::store::Store::open(
        "sqlite:" + (out.path() / "covenant.db").string(), 2, true);
    REQUIRE(store);
    covenant::engine::SystemClock clock;
    auto now = covenant::engine::to_micros(clock.now());
    auto made = covenant::app::generate_book(**store, "default", 1000, 11,
                                             now / (86'400LL * 1'000'000), now);
    REQUIRE(made);
    REQUIRE(made->contracts == 1000);
    // The schedules as the book holds them, added up here.
    for (int i = 1; i <= 1000; ++i) {
      std::string id = std::to_string(i);
      auto row = (*store)->contracts.get("default", "G-" + std::string(6 - id.size(), '0') + id);
      REQUIRE(row);
      REQUIRE(*row);
      auto state = nlohmann::json::parse((*row)->state);
      for (const auto& p : state["revenue"]["periods"])
        scheduled[state["plan"]["currency"]] += p["amount_minor"].get<std::int64_t>();
    }
  }
  DemoServer d(out);
  auto fiona = d.eng->principals->add("default", "fiona", {"finance"});
  REQUIRE(fiona);
  std::string base = d.url("");
  Browser b;

  // Renewals: a chart of the windows, the deadlines soonest first; an owner's filter selects
  // only theirs, and the CSV holds the same rows.
  open_view(b, base, "view=renewals&within=365", *fiona);
  b.wait_for_text("#figures", "365 days");
  check_view_page(b, "renewals");
  b.type("#f-owner", "005000000000JAN");
  b.click("#filters button[type=submit]");
  b.wait_for_text("#rows-meta", "shown");
  int renewals = all_rows(b);
  CHECK(renewals > 0);
  CHECK(b.script("return [...document.querySelectorAll('#rows tbody tr')].every((tr) => "
                 "tr.children[8].textContent === '005000000000JAN')")
            .get<bool>());
  CHECK(csv_lines_of(b, "/v1/views/renewals?within=365&owner=005000000000JAN&format=csv") ==
        renewals + 1);
  CHECK(leaked_nothing(b) == "");

  // Revenue: per currency, the schedules tie to the plans, and the figure shown is the sum of
  // the schedules the book holds, to the minor unit.
  open_view(b, base, "view=revenue&from=2023-01&to=2031-12", *fiona);
  auto figures = b.wait_for_text("#figures", "tie to the minor unit");
  CHECK(figures.find("DO NOT TIE") == std::string::npos);
  for (const auto& [currency, minor] : scheduled) {
    INFO(currency);
    bool shown = figures.find("scheduled by month " + covenant::money::format(minor, currency)) !=
                 std::string::npos;
    CHECK(shown);
  }
  check_view_page(b, "revenue");
  b.type("#f-currency", "eur");
  b.click("#filters button[type=submit]");
  b.wait_for_text("#figures", "EUR:");
  CHECK(b.text("#figures").find("USD") == std::string::npos);

  // Billing accuracy: those that differ, flagged, with both sides; the CSV has them all.
  open_view(b, base, "view=billing-accuracy&only=1", *fiona);
  check_view_page(b, "billing accuracy");
  int differing = all_rows(b);
  CHECK(differing > 0);
  CHECK(b.script("return [...document.querySelectorAll('#rows tbody tr')].every((tr) => "
                 "tr.classList.contains('flag'))")
            .get<bool>());
  CHECK(b.text("#rows").find("no invoice in billing") != std::string::npos);
  CHECK(csv_lines_of(b, "/v1/views/billing-accuracy?only=differs&format=csv") == differing + 1);

  // SLA scorecards: the breaches and the credits they owe.
  open_view(b, base, "view=sla&only=1", *fiona);
  check_view_page(b, "SLA");
  CHECK(b.text("#rows").find("answered in") != std::string::npos);

  // Handoff latency: each stage's median, 90th percentile and longest, drawn and tabled; the
  // slowest first; those on the way listed with the stage they are in; the CSV has them all.
  open_view(b, base, "view=handoffs", *fiona);
  b.wait_for_text("#figures", "signed → invoiced");
  check_view_page(b, "handoffs");
  int slowest = all_rows(b);
  CHECK(slowest > 900);
  CHECK(csv_lines_of(b, "/v1/views/handoffs?format=csv") == slowest + 1);
  open_view(b, base, "view=handoffs&show=in_flight&owner=005000000000JAN", *fiona);
  b.wait_for_text("#rows-title", "Still on the way");
  check_view_page(b, "handoffs on the way");
  CHECK(b.text("#rows").find("waiting") != std::string::npos);

  // Renewal risk: the riskiest first, each factor with its count, weight, points and evidence;
  // every row once across the pages, as many as the CSV; the level filter selects its level.
  open_view(b, base, "view=renewal-risk&within=365", *fiona);
  b.wait_for_text("#figures", "SLA breaches");
  check_view_page(b, "renewal risk");
  int risky = all_rows(b);
  CHECK(risky > 0);
  CHECK(csv_lines_of(b, "/v1/views/renewal-risk?within=365&format=csv") == risky + 1);
  CHECK(b.text("#rows").find(" × 10 = ") != std::string::npos);
  CHECK(b.script("const s = [...document.querySelectorAll('#rows tbody tr')].map((tr) => "
                 "Number(tr.children[3].textContent)); return s.every((v, i) => i === 0 || v <= "
                 "s[i - 1])")
            .get<bool>());
  open_view(b, base, "view=renewal-risk&within=365&level=high", *fiona);
  check_view_page(b, "renewal risk, high");
  CHECK(b.script("return [...document.querySelectorAll('#rows tbody tr')].every((tr) => "
                 "tr.children[4].textContent === 'high')")
            .get<bool>());
}

TEST_CASE("The views show the demo's contract: its revenue ties, billing matches, SLA measured") {
  covenant::testing::TempDir out;
  run_demo(out, "--auto-approve");
  DemoServer d(out);
  auto fiona = d.eng->principals->add("default", "fiona", {"finance"});
  REQUIRE(fiona);
  std::string base = d.url("");
  Browser b;
  open_view(b, base, "view=revenue&from=2027-01&to=2028-02", *fiona);
  b.wait_for_text("#figures", "tie to the minor unit");
  b.wait_for_text("#rows", "C-1042");
  CHECK(b.text("#rows").find("Acme Corporation") != std::string::npos);
  // The amended plan in the book totals USD 57,000.00 (it reprices whole periods) while the
  // modified schedule allocates the consideration: the view shows both, and ties the schedule.
  CHECK(b.text("#figures").find("the plans in the book total USD 57,000.00") != std::string::npos);
  check_view_page(b, "revenue of the demo");
  open_view(b, base, "view=billing-accuracy", *fiona);
  CHECK(b.wait_for_text("#rows", "C-1042").find("matches") != std::string::npos);
  check_view_page(b, "billing accuracy of the demo");
  open_view(b, base, "view=sla", *fiona);
  b.wait_for_text("#rows", "C-1042");
  check_view_page(b, "SLA of the demo");
  open_view(b, base, "view=renewals&within=365", *fiona);
  check_view_page(b, "renewals of the demo");
  // Handoffs: C-1042 from signed to invoiced, and where it waited (the finance gate).
  open_view(b, base, "view=handoffs", *fiona);
  CHECK(b.wait_for_text("#rows", "C-1042").find("finance_approval (gate") != std::string::npos);
  check_view_page(b, "handoffs of the demo");
  open_view(b, base, "view=renewal-risk&within=365", *fiona);
  check_view_page(b, "renewal risk of the demo");
}
