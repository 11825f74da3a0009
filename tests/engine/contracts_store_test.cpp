// The book of contracts on both databases: a contract recorded once (the same again is a
// repeat, another state a conflict), an amendment moving its agreement on one version only
// from the version it was computed from — four amendments computed from the same version at
// once: exactly one lands — settling fenced on the state read, and titles found by their words.
#include "tests/engine/engine_fixture.hpp"
#include "workflows/sha256.hpp"

#include <atomic>
#include <thread>

using covenant::engine::ErrorCode;
using covenant::engine::store::ContractRow;

namespace {

ContractRow agreement(const std::string& id, const std::string& state) {
  ContractRow r;
  r.contract_id = id;
  r.kind = "msa";
  r.title = "MASTER SUBSCRIPTION AGREEMENT AND ORDER FORM";
  r.title_key = "master subscription agreement and order form";
  r.agreement_date = "2027-01-20";
  r.customer = "ACC-1001";
  r.state = state;
  r.instance_id = "inst-1";
  return r;
}

ContractRow amendment(const std::string& id, const std::string& parent) {
  ContractRow r;
  r.contract_id = id;
  r.kind = "amendment";
  r.parent_id = parent;
  r.title = "AMENDMENT No. 1";
  r.title_key = "amendment no 1";
  r.state = R"({"change":")" + id + R"("})";
  r.instance_id = "inst-" + id;
  return r;
}

}  // namespace

ENGINE_TEST("The book records a contract once and an amendment only from the version it read",
            contracts_book) {
  auto& book = fx.store_->contracts;
  auto first = book.record("default", agreement("C-1042", R"({"plan":1})"), 1000);
  REQUIRE(first);
  CHECK(first->version == 1);
  CHECK_FALSE(first->repeated);
  // A retried step: the same again is a repeat; another state under its id is refused.
  auto again = book.record("default", agreement("C-1042", R"({"plan":1})"), 2000);
  REQUIRE(again);
  CHECK(again->repeated);
  CHECK(again->recorded_us == 1000);
  auto other = book.record("default", agreement("C-1042", R"({"plan":2})"), 3000);
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::Conflict);
  // An SOW names a parent in the book; an unknown one is refused.
  auto sow = agreement("SOW-1", R"({"plan":"sow"})");
  sow.kind = "sow";
  sow.parent_id = "C-404";
  auto orphan = book.record("default", sow, 3500);
  REQUIRE_FALSE(orphan);
  CHECK(orphan.error().code == ErrorCode::NotFound);
  // Bad input is refused where it enters.
  auto bad = agreement("C-9", R"({})");
  bad.kind = "contract";
  CHECK(book.record("default", bad, 1).error().code == ErrorCode::InvalidArgument);
  CHECK(book.record("Not A Namespace", agreement("C-9", "{}"), 1).error().code ==
        ErrorCode::InvalidArgument);
  CHECK(book.titled("default", "master%", 20).error().code == ErrorCode::InvalidArgument);

  // Amendment 1 from version 1: the agreement moves to version 2.
  auto a1 = book.amend("default", amendment("C-1042-A1", "C-1042"), 1, R"({"plan":"a1"})", 4000);
  REQUIRE(a1);
  CHECK(a1->version == 2);
  auto moved = book.get("default", "C-1042");
  REQUIRE(moved);
  REQUIRE(moved->has_value());
  CHECK((*moved)->version == 2);
  CHECK((*moved)->state == R"({"plan":"a1"})");
  // The same amendment again (a retry after its commit): a repeat, nothing moves.
  auto a1_again =
      book.amend("default", amendment("C-1042-A1", "C-1042"), 1, R"({"plan":"a1"})", 5000);
  REQUIRE(a1_again);
  CHECK(a1_again->repeated);
  CHECK((*book.get("default", "C-1042"))->version == 2);
  // Amendment 2, computed from version 1 before amendment 1 landed: refused.
  auto stale = book.amend("default", amendment("C-1042-A2", "C-1042"), 1, R"({"plan":"a2"})", 6000);
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == ErrorCode::Conflict);
  CHECK(stale.error().message.find("version 2") != std::string::npos);
  CHECK_FALSE(*book.get("default", "C-1042-A2"));
  // An amendment of an amendment, or of nothing, is refused.
  CHECK(book.amend("default", amendment("X-1", "C-1042-A1"), 2, "{}", 1).error().code ==
        ErrorCode::InvalidArgument);
  CHECK(book.amend("default", amendment("X-2", "C-404"), 1, "{}", 1).error().code ==
        ErrorCode::NotFound);

  // Settling is fenced on the state read: a writer that read an older state is refused.
  auto now = *book.get("default", "C-1042");
  REQUIRE(
      book.settle("default", "C-1042", 2, now->state_sha256, R"({"plan":"a1","written":1})", 7000));
  auto late =
      book.settle("default", "C-1042", 2, now->state_sha256, R"({"plan":"a1","x":1})", 8000);
  REQUIRE_FALSE(late);
  CHECK(late.error().code == ErrorCode::Conflict);
  auto wrong_version =
      book.settle("default", "C-1042", 1, (*book.get("default", "C-1042"))->state_sha256, "{}", 1);
  CHECK(wrong_version.error().code == ErrorCode::Conflict);

  // Titles: the words, or the words and more ("… and Order Form"); not another title.
  auto exact = book.titled("default", "master subscription agreement and order form", 20);
  REQUIRE(exact);
  CHECK(exact->size() == 1);
  auto prefix = book.titled("default", "master subscription agreement", 20);
  REQUIRE(prefix);
  CHECK(prefix->size() == 1);
  auto shorter = book.titled("default", "master subscription", 20);
  REQUIRE(shorter);
  CHECK(shorter->size() == 1);  // "master subscription agreement …" starts with these words too
  auto other_title = book.titled("default", "master services agreement", 20);
  REQUIRE(other_title);
  CHECK(other_title->empty());
  // Another namespace sees none of it.
  auto elsewhere = book.get("globex", "C-1042");
  REQUIRE(elsewhere);
  CHECK_FALSE(*elsewhere);
}

ENGINE_TEST("Four amendments computed from the same version at once: exactly one lands",
            contracts_race) {
  auto& book = fx.store_->contracts;
  REQUIRE(book.record("default", agreement("C-7", R"({"plan":0})"), 1000));
  std::atomic<int> landed{0}, refused{0}, other{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i)
    writers.emplace_back([&, i] {
      auto r = book.amend("default", amendment("C-7-A" + std::to_string(i), "C-7"), 1,
                          R"({"plan":)" + std::to_string(i + 1) + "}", 2000 + i);
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
  auto c = book.get("default", "C-7");
  REQUIRE(c);
  CHECK((*c)->version == 2);
}
