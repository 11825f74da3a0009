// Jira and Asana over real HTTP against the sandbox: a task is created once per step however
// often the step runs — also when the connection drops after the system committed the create
// (the client does not send such a write again; the next attempt finds what the first made) —
// and its completion is read back.
#include "tests/app/sandbox_fixture.hpp"

namespace {

using covenant::testing::SandboxServer;
using nlohmann::json;

void exactly_once(SandboxServer& sb, const std::string& system, const std::string& create_path,
                  const std::string& kind) {
  auto tracker = system == "jira" ? sb.jira() : sb.asana();
  json task = {{"project", system == "jira" ? "COV" : "1201"},
               {"title", "Provision Acme's tenant"},
               {"description", "Contract C-1042: 40 seats"},
               {"due_date", "2027-02-01"}};
  auto first = tracker->create_task(task, "inst-1/provision/1");
  REQUIRE(first);
  CHECK((*first)["created"] == true);
  auto again = tracker->create_task(task, "inst-1/provision/1");
  REQUIRE(again);
  CHECK((*again)["created"] == false);
  CHECK((*again)["id"] == (*first)["id"]);
  CHECK(sb.records(system, kind).size() == 1);

  // The create is committed, then the connection drops: one POST only, an error the engine
  // retries; the retry finds the task instead of making a second.
  sb.fault({{"method", "POST"}, {"path_prefix", create_path}, {"drop_after_commit", 1}});
  auto dropped = tracker->create_task(task, "inst-2/provision/1");
  REQUIRE_FALSE(dropped);
  CHECK(dropped.error().kind == covenant::adapters::http::Failure::Transient);
  CHECK(sb.requests()["POST " + create_path] == 2);  // the first task's and this one
  auto retried = tracker->create_task(task, "inst-2/provision/1");
  REQUIRE(retried);
  CHECK((*retried)["created"] == false);
  CHECK(sb.records(system, kind).size() == 2);

  // A 503 on the create is not sent again by the client either.
  sb.fault({{"method", "POST"}, {"path_prefix", create_path}, {"fail_next", 1}, {"status", 503}});
  auto busy = tracker->create_task(task, "inst-3/provision/1");
  REQUIRE_FALSE(busy);
  auto later = tracker->create_task(task, "inst-3/provision/1");
  REQUIRE(later);
  CHECK((*later)["created"] == true);
  CHECK(sb.records(system, kind).size() == 3);

  // Completion, as a person marks it in the tool, read back.
  std::string id = (*first)["id"];
  auto open = tracker->get_task({{"task", id}});
  REQUIRE(open);
  CHECK((*open)["done"] == false);
  sb.admin("/_sandbox/worktools/complete",
           {{"system", system}, {"id", id}, {"at", "2027-01-20T15:00:00Z"}});
  auto done = tracker->get_task({{"task", id}});
  REQUIRE(done);
  CHECK((*done)["done"] == true);
  CHECK((*done)["completed_at"] == "2027-01-20T15:00:00Z");

  // Input refused before any call.
  for (const json& bad : {json{{"project", "a b"}, {"title", "x"}}, json{{"project", "COV"}},
                          json{{"project", "COV"}, {"title", "x"}, {"due_date", "soon"}}}) {
    auto r = tracker->create_task(bad, "inst-9/x/1");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_input");
  }
  auto missing = tracker->get_task({{"task", "NOPE-404"}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().status == 404);
}

}  // namespace

TEST_CASE(
    "A Jira issue is created once per step, also when the connection drops after the create") {
  SandboxServer sb;
  exactly_once(sb, "jira", "/rest/api/3/issue", "issue");
}

TEST_CASE(
    "An Asana task is created once per step, also when the connection drops after the create") {
  SandboxServer sb;
  exactly_once(sb, "asana", "/api/1.0/tasks", "task");
}
