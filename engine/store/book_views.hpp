// BookViews (book_views.cpp): what the Finance and RevOps views read across the book of
// contracts. Two kinds of rows, both per contract:
//   - its index (book_index, book_months, book_month_totals): the columns the views filter on,
//     its plan's total, and per month what its revenue schedule recognises and its plan bills.
//     Written by store.contracts in the transaction that records or amends the contract
//     (Contracts::record, Contracts::amend take it), from figures the caller computed with the
//     activities' own code; the store adds and subtracts them, never computes money rules.
//   - each monitor's latest finding (contract_findings): renewal, sla, billing_accuracy, written
//     by the contracts.observe activity; an older observation never replaces a newer one.
// Reads are keyset-paged (a page and the key to go on from) and filtered by customer, owner,
// kind and currency; totals over the whole book are read from book_month_totals.
#pragma once

#include "engine/error.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

class Store;
class Tx;

struct MonthFigures {
  std::string month;  // YYYY-MM
  std::int64_t recognised_minor = 0, billed_minor = 0;
};

struct ContractIndex {
  std::string contract_id, kind, customer, customer_name, owner, currency;
  std::string signed_on, service_start, service_end;  // YYYY-MM-DD or ""
  std::int64_t total_minor = 0;
  std::int64_t price_minor = 0;      // the transaction price its revenue schedule allocates
  std::int64_t pending_minor = 0;    // revenue waiting for an event, in no month yet
  std::vector<MonthFigures> months;  // each month once, in `currency`
};

struct FindingRow {
  std::string contract_id, monitor, status, tag, due_on, currency, observed_on;
  std::string body;  // JSON text: the monitor's finding
  std::string instance_id;
  std::int64_t items = 0, amount_minor = 0, recorded_us = 0;
};

// "" matches any.
struct ViewFilter {
  std::string customer, owner, kind, currency;
};

// Where a page goes on from: the last row's sort key (due_on or items) and contract id.
struct ViewKey {
  std::string text;
  std::int64_t number = 0;
  std::string contract_id;
};

struct FindingView {
  ContractIndex contract;  // without months
  FindingRow finding;
};

struct FindingPage {
  std::vector<FindingView> rows;
  std::optional<ViewKey> next;
};

// Per currency: contracts with a finding, those whose finding counted items, the items and the
// money they come to.
struct FindingTotals {
  std::int64_t contracts = 0, with_items = 0, items = 0, amount_minor = 0;
};

struct MonthTotal {
  std::string currency, month;
  std::int64_t recognised_minor = 0, billed_minor = 0;
};

struct ContractPage {
  std::vector<ContractIndex> rows;  // with their months in the range asked
  std::optional<std::string> next;  // the last contract id
};

struct BookTotals {
  std::int64_t contracts = 0, total_minor = 0, price_minor = 0, pending_minor = 0;
};

// What renewal risk reads of one contract: its filter columns, name and total, its renewal
// finding and the latest SLA and billing findings' counts and money (each in its own currency,
// "" when none). BookViews::risk_counts fills only what the score is counted from.
struct RiskInput {
  ContractIndex contract;  // without months
  std::string due_on, tag, renewal_status, observed_on;
  std::int64_t notices = 0;
  bool has_sla = false, has_billing = false;
  std::int64_t breaches = 0, credits_minor = 0, discrepancies = 0, at_stake_minor = 0;
  std::string credits_currency, at_stake_currency, sla_observed_on, billing_observed_on;
};

// An approval of a contract that did not go as asked: rejected, changes requested, expired, or
// still open past its deadline ("overdue").
struct ApprovalException {
  std::string contract_id, approval_id, state, status;
  std::int64_t opened_us = 0, deadline_us = 0, closed_us = 0;
};

class BookViews {
 public:
  explicit BookViews(Store& db) : db_(db) {}

  // Replaces contract `i.contract_id`'s index and moves the month totals by the difference, in
  // `tx` (store.contracts' transaction). Errors: InvalidArgument (a month twice, not YYYY-MM).
  Result<void> index(Tx& tx, const std::string& ns, const ContractIndex& i);
  static Result<void> check(const ContractIndex& i);

  // Records monitor `f.monitor`'s finding for `f.contract_id`, unless a later observation
  // (observed_on) is stored. Returns whether it was stored. Errors: InvalidArgument.
  Result<bool> observe(const std::string& ns, const FindingRow& f, std::int64_t now_us);
  // Many findings in one transaction (a generated book). Returns how many were stored.
  Result<std::size_t> observe_many(const std::string& ns, const std::vector<FindingRow>& rows,
                                   std::int64_t now_us);

  // Findings of `monitor` due in [from, to) (YYYY-MM-DD), soonest first.
  Result<FindingPage> due(const std::string& ns, const std::string& monitor, const ViewFilter& f,
                          const std::string& from, const std::string& to,
                          const std::optional<ViewKey>& after, int limit);
  // How many findings of `monitor` are due before each of `bounds` (from `from`), per tag.
  Result<std::map<std::string, std::vector<std::int64_t>>> due_counts(
      const std::string& ns, const std::string& monitor, const ViewFilter& f,
      const std::string& from, const std::vector<std::string>& bounds);
  // Findings of `monitor`, most items first (`with_items`: only those that counted some).
  Result<FindingPage> by_items(const std::string& ns, const std::string& monitor,
                               const ViewFilter& f, bool with_items,
                               const std::optional<ViewKey>& after, int limit);
  Result<std::map<std::string, FindingTotals>> finding_totals(const std::string& ns,
                                                              const std::string& monitor,
                                                              const ViewFilter& f);

  // Month totals up to `to` (YYYY-MM), per currency, oldest first: the whole book's from the
  // totals, a customer's from its contracts.
  Result<std::vector<MonthTotal>> months(const std::string& ns, const ViewFilter& f,
                                         const std::string& to);
  // The plans' totals and how many contracts, per currency.
  Result<std::map<std::string, BookTotals>> book_totals(const std::string& ns, const ViewFilter& f);
  // Every contract whose renewal finding is due in [from, to), with what its score is counted
  // from alone: the renewal (due, tag, notices sent) and the latest SLA and billing findings'
  // counts (at most `max`; more is an error: narrow the filters). The rest is risk_inputs'.
  Result<std::vector<RiskInput>> risk_counts(const std::string& ns, const ViewFilter& f,
                                             const std::string& from, const std::string& to,
                                             std::size_t max);
  // These contracts' renewal findings in full (the rows shown): the figures, their currencies
  // and dates, the customer's name and the plan's total, by id.
  Result<std::map<std::string, RiskInput>> risk_inputs(const std::string& ns,
                                                       const std::vector<std::string>& ids);
  // The namespace's approvals that did not go as asked, by contract (`now_us`: what "past its
  // deadline" is measured from; at most `max`).
  Result<std::map<std::string, std::vector<ApprovalException>>> approval_exceptions(
      const std::string& ns, std::int64_t now_us, std::size_t max);
  // Contracts by id, with their months in [from, to].
  Result<ContractPage> contracts(const std::string& ns, const ViewFilter& f,
                                 const std::string& from, const std::string& to,
                                 const std::string& after, int limit);

 private:
  Store& db_;
};

}  // namespace covenant::engine::store
