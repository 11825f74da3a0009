// The decision protocol (engine/approvals/desk.hpp) on both databases: callback tokens,
// decision ids, separation of duties, delegation, reminders, and the approval rows and
// webhooks a gate leaves behind. Every refusal the HTTP API maps to a status starts here.
#include "engine/approvals/desk.hpp"
#include "tests/engine/engine_fixture.hpp"

#include <thread>

using covenant::engine::ErrorCode;
using covenant::engine::approvals::ApprovalDesk;
using covenant::engine::approvals::Approver;
using covenant::engine::approvals::DecisionRequest;
using covenant::engine::auth::Principal;
using covenant::engine::auth::Principals;
using namespace std::chrono_literals;

namespace {

constexpr const char* kGated = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: gated }
start: amend
states:
  amend:
    type: wait
    event: terms
    output: .terms
    next: gate
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance, count: 2 }, { role: cfo, when: "${ .amount > 100000 }" }]
    quorum: 2
    timeout: 48h
    remind_before: 8h
    on_timeout: { next: lapsed }
    on_reject: stopped
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
  stopped: { type: fail, error: Rejected }
  lapsed: { type: fail, error: Lapsed }
)";

struct Desk {
  covenant::testing::EngineFixture& fx;
  Principals principals{*fx.store_, fx.clock, fx.ids};
  ApprovalDesk desk{*fx.runtime_, principals, fx.clock, fx.ids};

  Approver as(const std::string& name, std::vector<std::string> roles) {
    Principal p;
    p.name = name;
    p.roles = std::move(roles);
    return {p, "", "", ""};
  }
  void add(const std::string& name, std::vector<std::string> roles) {
    REQUIRE(principals.add(covenant::engine::store::kDefaultNamespace, name, roles));
  }
  covenant::engine::store::ApprovalRow open_approval(const std::string& instance) {
    auto rows = fx.store_->approvals.of_instance(covenant::engine::store::Scope::all(), instance);
    REQUIRE(rows);
    for (const auto& r : *rows)
      if (r.status == "open") return r;
    std::string events;
    for (const auto& n : fx.event_names(instance)) events += n + " ";
    FAIL("no open approval for " << instance << " (" << rows->size() << " rows; " << events << ")");
    return {};
  }
  DecisionRequest approve(const covenant::engine::store::ApprovalRow& a,
                          const std::string& decision_id = "") {
    return {a.id, decision_id, true, "looks right", a.digest, ""};
  }
};

// Starts an instance of kGated by `starter`, amended by `amender`, and parks it at the gate.
std::string parked(covenant::testing::EngineFixture& fx, const std::string& starter,
                   const std::string& amender, long amount = 120000) {
  fx.deploy(kGated);
  auto id = fx.start("gated", {{"amount", amount}, {"customer", "acme"}},
                     {"C-1", starter, "", "default"});
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "terms", {{"net", 30}},
                              amender));
  fx.drain();
  return id;
}

}  // namespace

ENGINE_TEST("A gate opens an approval row, and decisions close it when quorum is met",
            desk_quorum) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave");
  auto a = d.open_approval(id);
  CHECK(a.state == "gate");
  CHECK(a.business_key == "C-1");
  CHECK(a.subject == nlohmann::json({{"amount", 120000}, {"customer", "acme"}}));
  CHECK(a.rules.size() == 2);  // cfo is eligible above 100,000
  CHECK(a.deadline_us == covenant::engine::to_micros(fx.clock.now()) + 48LL * 3600 * 1000000);
  auto first = d.desk.decide(d.as("bob", {"finance"}), d.approve(a));
  REQUIRE(first);
  CHECK((*first)["status"] == "open");
  CHECK(fx.system.calls("money.charge") == 0);
  auto second = d.desk.decide(d.as("erin", {"cfo"}), d.approve(a));
  REQUIRE(second);
  CHECK((*second)["status"] == "granted");
  fx.drain();
  CHECK(fx.system.writes("money.charge") == 1);
  auto closed = fx.store_->approvals.get(covenant::engine::store::Scope::all(), a.id);
  REQUIRE(closed);
  CHECK((*closed)->status == "granted");
  CHECK((*closed)->decisions.size() == 2);
  auto late = d.desk.decide(d.as("carol", {"finance"}), d.approve(a));
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::FailedPrecondition);  // 409: the gate is closed
}

ENGINE_TEST(
    "Approvers without an eligible role, the initiator, and whoever changed the instance "
    "are refused",
    desk_refusals) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave", 5000);  // below the cfo threshold
  auto a = d.open_approval(id);
  auto cfo = d.desk.decide(d.as("erin", {"cfo"}), d.approve(a));
  CHECK(cfo.error().code == ErrorCode::PermissionDenied);  // cfo's rule has a `when`
  auto sales = d.desk.decide(d.as("sam", {"sales"}), d.approve(a));
  CHECK(sales.error().code == ErrorCode::PermissionDenied);
  auto starter = d.desk.decide(d.as("alice", {"finance"}), d.approve(a));
  CHECK(starter.error().code == ErrorCode::PermissionDenied);
  CHECK(starter.error().message.find("separation of duties") != std::string::npos);
  auto changer = d.desk.decide(d.as("dave", {"finance"}), d.approve(a));
  CHECK(changer.error().code == ErrorCode::PermissionDenied);
  auto stale =
      d.desk.decide(d.as("bob", {"finance"}), {a.id, "", true, "", std::string(64, 'a'), ""});
  CHECK(stale.error().code == ErrorCode::FailedPrecondition);
  REQUIRE(d.desk.decide(d.as("bob", {"finance"}), d.approve(a)));
  auto twice = d.desk.decide(d.as("bob", {"finance"}), d.approve(a));
  CHECK(twice.error().code == ErrorCode::Conflict);  // the same person counts once
  CHECK(fx.instance(id).status == "running");
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalDecided") == 1);
}

ENGINE_TEST("Callback tokens are single-use, expire, and name one approval", desk_tokens) {
  Desk d{fx};
  d.add("bob", {"finance"});
  d.add("carol", {"finance"});
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  auto now = covenant::engine::to_micros(fx.clock.now());
  auto token = d.desk.issue_token("default", a.id, {"bob", ""}, now + 3600'000'000LL);
  REQUIRE(token);
  CHECK(token->rfind("cbt_", 0) == 0);
  CHECK(token->size() == 68);
  auto wrong = d.desk.authenticate_token("cbt_" + std::string(64, '0'));
  CHECK(wrong.error().code == ErrorCode::PermissionDenied);
  auto malformed = d.desk.authenticate_token("cov_123");
  CHECK(malformed.error().code == ErrorCode::PermissionDenied);
  auto bob = d.desk.authenticate_token(*token);
  REQUIRE(bob);
  CHECK(bob->principal.name == "bob");
  CHECK(bob->approval_id == a.id);
  REQUIRE(d.desk.decide(*bob, d.approve(a)));
  // A used token still authenticates, marked spent: it may only replay its decision.
  auto reused = d.desk.authenticate_token(*token);
  REQUIRE(reused);
  CHECK(reused->spent);
  auto replay = d.desk.decide(*reused, d.approve(a));
  CHECK(replay.error().code == ErrorCode::Unauthenticated);
  // Spending is part of the decision's transaction: a stale copy of the approver cannot
  // decide again with it.
  auto again = d.desk.decide(*bob, d.approve(a));
  CHECK_FALSE(again);
  auto carol_token = d.desk.issue_token("default", a.id, {"carol", ""}, now + 3600'000'000LL);
  REQUIRE(carol_token);
  fx.clock.advance(2h);
  auto expired = d.desk.authenticate_token(*carol_token);
  REQUIRE_FALSE(expired);
  CHECK(expired.error().message == "this callback token has expired");
  // A token for another approval does not decide this one.
  auto elsewhere =
      d.desk.issue_token("default", "apr_other", {"carol", ""}, now + 7200'000'000LL * 10);
  REQUIRE(elsewhere);
  auto other = d.desk.authenticate_token(*elsewhere);
  REQUIRE(other);
  auto r = d.desk.decide(*other, d.approve(a));
  CHECK(r.error().code == ErrorCode::PermissionDenied);
}

ENGINE_TEST(
    "A repeated decision id returns the first answer, a different decision under it is a "
    "conflict",
    desk_decision_ids) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  auto first = d.desk.decide(d.as("bob", {"finance"}), d.approve(a, "dec-1"));
  REQUIRE(first);
  auto repeat = d.desk.decide(d.as("bob", {"finance"}), d.approve(a, "dec-1"));
  REQUIRE(repeat);
  CHECK((*repeat)["repeated"] == true);
  CHECK((*repeat)["status"] == (*first)["status"]);
  auto req = d.approve(a, "dec-1");
  req.approve = false;
  auto changed = d.desk.decide(d.as("bob", {"finance"}), req);
  // A rejection without its reason is refused, and counts for nothing.
  auto bare = d.approve(a);
  bare.approve = false;
  for (const char* blank : {"", "  \n\t"}) {
    bare.comment = blank;
    auto why_not = d.desk.decide(d.as("carol", {"finance"}), bare);
    REQUIRE_FALSE(why_not);
    CHECK(why_not.error().code == ErrorCode::InvalidArgument);
    CHECK(why_not.error().message.find("a rejection needs its reason") == 0);
  }
  CHECK(changed.error().code == ErrorCode::Conflict);
  REQUIRE(d.desk.decide(d.as("carol", {"finance"}), d.approve(a, "dec-2")));
  // The gate is closed now; the repeat still gets its answer.
  auto after_close = d.desk.decide(d.as("carol", {"finance"}), d.approve(a, "dec-2"));
  REQUIRE(after_close);
  CHECK((*after_close)["status"] == "granted");
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalDecided") == 2);
}

ENGINE_TEST("Two concurrent deliveries of one decision count once", desk_concurrent) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  for (const char* decision_id : {"same-id", ""}) {
    std::string who = decision_id[0] ? "bob" : "carol";
    std::vector<covenant::engine::Result<nlohmann::json>> results(4);
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i)
      threads.emplace_back([&, i] {
        results[i] = d.desk.decide(d.as(who, {"finance"}), d.approve(a, decision_id));
      });
    for (auto& t : threads) t.join();
    int fresh = 0;
    for (const auto& r : results) {
      if (r && !r->contains("repeated")) ++fresh;
      if (!r) {
        INFO(r.error().message);
        // Without a decision id a repeat is refused: a second decision by the same person, or
        // (this decision met the quorum) a decision on a closed gate. Both are 409s.
        CHECK((r.error().code == ErrorCode::Conflict ||
               r.error().code == ErrorCode::FailedPrecondition));
        CHECK(decision_id[0] == '\0');
      }
    }
    CHECK(fresh == 1);
  }
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalDecided") == 2);
  CHECK(std::count(names.begin(), names.end(), "ApprovalGranted") == 1);
}

ENGINE_TEST("A decision after cancellation is refused", desk_cancelled) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  REQUIRE(fx.runtime_->cancel(covenant::engine::store::Scope::all(), id, "deal lost", "revops"));
  auto closed = fx.store_->approvals.get(covenant::engine::store::Scope::all(), a.id);
  CHECK((*closed)->status == "cancelled");
  auto r = d.desk.decide(d.as("bob", {"finance"}), d.approve(a));
  CHECK(r.error().code == ErrorCode::FailedPrecondition);
}

ENGINE_TEST("A delegate decides for the delegator inside the window, recorded as X for Y",
            desk_delegation) {
  Desk d{fx};
  d.add("bob", {"finance"});
  d.add("carol", {"finance"});
  d.add("pat", {"revops"});
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  auto now = covenant::engine::to_micros(fx.clock.now());
  const long long hour = 3600'000'000LL;
  REQUIRE(d.desk.delegate("default", {"bob", "pat", now + hour, now + 3 * hour}, "bob", false));
  CHECK(d.desk.delegate("default", {"bob", "bob", now, now + hour}, "bob", false).error().code ==
        ErrorCode::InvalidArgument);
  CHECK(d.desk.delegate("default", {"bob", "pat", now, now}, "bob", false).error().code ==
        ErrorCode::InvalidArgument);
  // Someone else's authority: refused, or only proposed when an admin asks.
  CHECK(d.desk.delegate("default", {"bob", "pat", now, now + hour}, "carol", false).error().code ==
        ErrorCode::PermissionDenied);
  // Before the window opens, pat holds no eligible role.
  auto early = d.desk.decide(d.as("pat", {"revops"}), d.approve(a));
  CHECK(early.error().code == ErrorCode::PermissionDenied);
  fx.clock.advance(90min);
  auto inbox = d.desk.inbox(d.as("pat", {"revops"}).principal, 0, "", 10);
  REQUIRE(inbox);
  REQUIRE(inbox->size() == 1);
  auto recipients = d.desk.recipients(a);
  REQUIRE(recipients);
  CHECK(std::count_if(recipients->begin(), recipients->end(), [](const auto& r) {
          return r.principal == "pat" && r.on_behalf_of == "bob";
        }) == 1);
  auto ok = d.desk.decide(d.as("pat", {"revops"}), d.approve(a));
  REQUIRE(ok);
  CHECK((*ok)["on_behalf_of"] == "bob");
  // bob has now decided through pat: he does not count twice.
  auto bob = d.desk.decide(d.as("bob", {"finance"}), d.approve(a));
  CHECK(bob.error().code == ErrorCode::Conflict);
  auto h = fx.store_->instances.history(covenant::engine::store::Scope::all(), id);
  bool recorded = false;
  for (const auto& e : *h)
    if (e.type == covenant::engine::history::EventType::ApprovalDecided)
      recorded = e.payload.value("recorded_as", "") == "pat for bob";
  CHECK(recorded);
  fx.clock.advance(2h);  // the window has closed
  auto late = d.desk.decide(d.as("pat", {"revops"}), {a.id, "", true, "", a.digest, "bob"});
  CHECK(late.error().code == ErrorCode::PermissionDenied);
}

ENGINE_TEST("A reminder goes out before the deadline, and the gate's webhooks are queued",
            desk_reminders) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  REQUIRE(d.desk.decide(d.as("bob", {"finance"}), d.approve(a)));
  fx.clock.advance(40h);
  fx.drain();
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalReminded") == 1);
  fx.clock.advance(8h);
  fx.drain();
  CHECK(fx.instance(id).status == "failed");
  CHECK((*fx.store_->approvals.get(covenant::engine::store::Scope::all(), a.id))->status ==
        "expired");
  auto out = fx.store_->outbox.of_instance(covenant::engine::store::Scope::all(), id);
  REQUIRE(out);
  std::vector<std::string> topics;
  for (const auto& r : *out) topics.push_back(r.topic);
  CHECK(topics == std::vector<std::string>{"approval.requested", "approval.decided",
                                           "approval.reminder", "workflow.failed"});
  CHECK((*out)[0].approval_id == a.id);
  CHECK((*out)[0].payload["data"]["payload"]["digest"] == a.digest);
}

namespace {

constexpr const char* kChanges = R"(apiVersion: covenant/v1
kind: Workflow
metadata: { name: sent-back }
start: prepare
states:
  prepare:
    type: wait
    event: terms
    output: .terms
    next: gate
  gate:
    type: approval
    authorizes: [money.charge]
    subject:
      amount: { from: "${ .terms.amount }", type: integer }
      customer: { from: "${ .customer }", type: id }
    approvers: [{ role: finance }]
    on_changes_requested: { next: prepare, output: .change_request }
    next: charge
  charge: { type: task, activity: money.charge, input: { amount: "${ .terms.amount }", customer: "${ .customer }" }, next: done }
  done: { type: succeed }
)";

}  // namespace

ENGINE_TEST(
    "A request for changes sends the data back where the definition says, with its comment, "
    "and approving needs the gate again",
    desk_request_changes) {
  Desk d{fx};
  fx.deploy(kChanges);
  auto id = fx.start("sent-back", {{"customer", "acme"}}, {"C-2", "alice", "", "default"});
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "terms",
                              {{"amount", 90000}}, "dave"));
  fx.drain();
  auto a = d.open_approval(id);
  CHECK(a.changes_to == "prepare");
  auto ask = d.approve(a, "changes-1");
  ask.approve = false;
  ask.request_changes = true;
  // Without saying what to change, nobody can act on it.
  ask.comment = " ";
  auto bare = d.desk.decide(d.as("bob", {"finance"}), ask);
  REQUIRE_FALSE(bare);
  CHECK(bare.error().code == ErrorCode::InvalidArgument);
  CHECK(bare.error().message.find("a request for changes needs to say what to change") == 0);
  // Someone who may not decide the gate may not send it back either.
  ask.comment = "The amount is the list price, not the contract's";
  auto outsider = d.desk.decide(d.as("sam", {"sales"}), ask);
  REQUIRE_FALSE(outsider);
  CHECK(outsider.error().code == ErrorCode::PermissionDenied);
  auto sent = d.desk.decide(d.as("bob", {"finance"}), ask);
  REQUIRE(sent);
  CHECK((*sent)["status"] == "changes_requested");
  CHECK((*sent)["decision"] == "request_changes");
  // A repeat of the same decision id gets the same answer.
  auto again = d.desk.decide(d.as("bob", {"finance"}), ask);
  REQUIRE(again);
  CHECK((*again)["repeated"] == true);
  fx.drain();
  CHECK(fx.system.calls("money.charge") == 0);
  auto closed = fx.store_->approvals.get(covenant::engine::store::Scope::all(), a.id);
  REQUIRE(closed);
  CHECK((*closed)->status == "changes_requested");
  auto inst = fx.instance(id);
  CHECK(inst.status == "running");
  const auto& ctx = inst.frames.begin()->second.context;
  INFO(ctx.dump());
  CHECK(ctx["change_request"]["comment"] == "The amount is the list price, not the contract's");
  CHECK(ctx["change_request"]["by"] == "bob");
  CHECK(ctx["change_request"]["approval_id"] == a.id);
  auto names = fx.event_names(id);
  CHECK(std::count(names.begin(), names.end(), "ApprovalChangesRequested") == 1);
  // The corrected data opens the gate again: a new approval over a new digest, and the old
  // one takes no decision.
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, "terms",
                              {{"amount", 72000}}, "dave"));
  fx.drain();
  auto reopened = d.open_approval(id);
  CHECK(reopened.id != a.id);
  CHECK(reopened.digest != a.digest);
  CHECK(reopened.subject["amount"] == 72000);
  auto stale = d.desk.decide(d.as("carol", {"finance"}), d.approve(a));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::FailedPrecondition);
  // bob asked for the change; he may approve what came back.
  REQUIRE(d.desk.decide(d.as("bob", {"finance"}), d.approve(reopened)));
  fx.drain();
  CHECK(fx.system.writes("money.charge") == 1);
  CHECK(fx.instance(id).status == "completed");
}

ENGINE_TEST("A gate that names no on_changes_requested takes no request for changes",
            desk_no_changes) {
  Desk d{fx};
  auto id = parked(fx, "alice", "dave", 5000);
  auto a = d.open_approval(id);
  CHECK(a.changes_to.empty());
  auto ask = d.approve(a);
  ask.approve = false;
  ask.request_changes = true;
  ask.comment = "please recheck";
  auto r = d.desk.decide(d.as("bob", {"finance"}), ask);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::FailedPrecondition);
  CHECK(r.error().message.find("takes no request for changes") != std::string::npos);
  CHECK(fx.store_->approvals.get(covenant::engine::store::Scope::all(), a.id).value()->status ==
        "open");
}

ENGINE_TEST(
    "An event fenced on the occurrence it was made of is refused once the instance moved on",
    signal_fence) {
  Desk d{fx};
  fx.deploy(kChanges);
  auto id = fx.start("sent-back", {{"customer", "acme"}}, {"C-3", "alice", "", "default"});
  covenant::engine::model::SignalInput late{"terms", {{"amount", 1}}, "dave",
                                            nullptr, "prepare",       2};
  auto refused = fx.runtime_->signal(covenant::engine::store::Scope::all(), id, late);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::FailedPrecondition);
  CHECK(refused.error().message.find("at 'prepare' #2 (it moved on since that was read)") !=
        std::string::npos);
  covenant::engine::model::SignalInput now{"terms", {{"amount", 5}}, "dave", nullptr, "prepare", 1};
  REQUIRE(fx.runtime_->signal(covenant::engine::store::Scope::all(), id, now));
  fx.drain();
  CHECK(d.open_approval(id).subject["amount"] == 5);
}
