// The obligations register on both databases: a contract's register written whole by the
// instance that carried it (a retry replaces it; another instance is refused, also when the
// register it wrote is empty, and also when four instances write at once), read soonest due
// first, bounded and checked at the store (ids, kinds, owners, real calendar days), and seen
// only in its own namespace.
#include "tests/engine/engine_fixture.hpp"

#include <atomic>
#include <thread>

using covenant::engine::ErrorCode;
using covenant::engine::store::ObligationRow;

namespace {

ObligationRow obligation(const std::string& id, const std::string& due) {
  ObligationRow r;
  r.contract_id = "C-1042";
  r.obligation_id = id;
  r.kind = "report";
  r.owner = "Globex";
  r.due_date = due;
  r.body = R"({"description":")" + id + R"("})";
  return r;
}

}  // namespace

ENGINE_TEST("A contract's obligations register is its instance's, read soonest due first",
            obligations_register) {
  auto& reg = fx.store_->obligations;
  auto wrote =
      reg.replace("default", "C-1042", "inst-1",
                  {obligation("report-2", ""), obligation("renewal_window-1", "2027-12-03"),
                   obligation("report-1", ""), obligation("certificate-1", "2027-03-03")},
                  1000);
  REQUIRE(wrote);
  CHECK(*wrote == 4);
  auto read = reg.of_contract("default", "C-1042");
  REQUIRE(read);
  REQUIRE(read->size() == 4);
  CHECK((*read)[0].obligation_id == "certificate-1");
  CHECK((*read)[1].obligation_id == "renewal_window-1");
  CHECK((*read)[2].obligation_id == "report-1");  // undated, by id
  CHECK((*read)[2].due_date.empty());
  CHECK((*read)[3].obligation_id == "report-2");
  CHECK((*read)[0].instance_id == "inst-1");
  CHECK((*read)[0].body == R"({"description":"certificate-1"})");
  CHECK((*read)[0].recorded_us == 1000);

  // A retried step of the same instance replaces it whole.
  REQUIRE(reg.replace("default", "C-1042", "inst-1", {obligation("report-1", "2027-04-15")}, 2000));
  read = reg.of_contract("default", "C-1042");
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  CHECK((*read)[0].due_date == "2027-04-15");

  // Another instance is refused, and nothing of the register changes.
  auto other = reg.replace("default", "C-1042", "inst-2", {obligation("audit-1", "")}, 3000);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::Conflict);
  CHECK(other.error().message.find("inst-1") != std::string::npos);
  read = reg.of_contract("default", "C-1042");
  REQUIRE(read);
  REQUIRE(read->size() == 1);
  CHECK((*read)[0].obligation_id == "report-1");

  // An empty register is still its writer's.
  REQUIRE(reg.replace("default", "C-9", "inst-9", {}, 1000));
  auto late = reg.replace("default", "C-9", "inst-10", {obligation("report-1", "")}, 2000);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::Conflict);

  // Another namespace sees none of it, and keeps its own under the same contract id.
  auto elsewhere = reg.of_contract("globex", "C-1042");
  REQUIRE(elsewhere);
  CHECK(elsewhere->empty());
  CHECK(reg.replace("globex", "C-1042", "inst-g", {obligation("report-9", "")}, 1000));
}

ENGINE_TEST("The store refuses a malformed register, and keeps the one it has",
            obligations_refused) {
  auto& reg = fx.store_->obligations;
  REQUIRE(reg.replace("default", "C-1042", "inst-1", {obligation("report-1", "2027-04-15")}, 1000));
  auto refused = [&](std::vector<ObligationRow> rows, const std::string& instance = "inst-1",
                     const std::string& contract = "C-1042") {
    auto r = reg.replace("default", contract, instance, rows, 2000);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    return r.error().message;
  };
  CHECK(refused({obligation("report-1", "2027-02-30")}).find("YYYY-MM-DD") != std::string::npos);
  CHECK(refused({obligation("report-1", "2027-4-15")}).find("YYYY-MM-DD") != std::string::npos);
  CHECK(refused({obligation("report-1", ""), obligation("report-1", "")}).find("twice") !=
        std::string::npos);
  auto unowned = obligation("report-2", "");
  unowned.owner.clear();
  CHECK(refused({unowned}).find("owner") != std::string::npos);
  CHECK(refused({obligation(std::string(65, 'r'), "")}).find("64") != std::string::npos);
  CHECK(refused({obligation("report-1", "")}, "").find("instance") != std::string::npos);
  CHECK(refused({obligation("report-1", "")}, "inst-1", "").find("contract") != std::string::npos);
  std::vector<ObligationRow> many;
  for (int i = 0; i < 501; ++i) many.push_back(obligation("r-" + std::to_string(i), ""));
  CHECK(refused(many).find("500") != std::string::npos);
  auto kept = reg.of_contract("default", "C-1042");
  REQUIRE(kept);
  REQUIRE(kept->size() == 1);
  CHECK((*kept)[0].due_date == "2027-04-15");
}

ENGINE_TEST("Four instances writing one contract's register at once: one keeps it",
            obligations_race) {
  auto& reg = fx.store_->obligations;
  std::atomic<int> landed{0}, refused{0}, other{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i)
    writers.emplace_back([&, i] {
      // Disjoint ids: only the writer's claim keeps them from interleaving.
      std::vector<ObligationRow> rows = {obligation("report-" + std::to_string(i) + "-a", ""),
                                         obligation("report-" + std::to_string(i) + "-b", "")};
      auto r = reg.replace("default", "C-1042", "inst-" + std::to_string(i), rows, 1000 + i);
      if (r)
        ++landed;
      else if (r.error().code == ErrorCode::Conflict)
        ++refused;
      else
        ++other;
    });
  for (auto& t : writers) t.join();
  CHECK(landed == 1);
  CHECK(refused == 3);
  CHECK(other == 0);
  auto read = reg.of_contract("default", "C-1042");
  REQUIRE(read);
  REQUIRE(read->size() == 2);
  CHECK((*read)[0].instance_id == (*read)[1].instance_id);
}
