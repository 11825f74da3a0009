// The book of contracts as the activities see it (contracts.record, contracts.find_parent,
// obligations.record): each agreement, SOW and amendment with the state it stands in, and
// what each obliges a party to do. The app implements it over
// the engine's store (app/document_bridge.hpp, SQL in engine/store/contracts.cpp); tests may
// implement it in memory. Implementations must be thread-safe.
#pragma once

#include "activities/documents.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace covenant::activities {

struct BookEntry {
  std::string contract_id, kind, parent_id, title, title_key, agreement_date, customer;
  std::int64_t version = 1;
  nlohmann::json state;
  std::string state_sha256;  // what settle is fenced on
  std::string instance_id;
  bool repeated = false;
};

// One entry of a contract's obligations register (obligations.record).
struct Obligation {
  std::string id, kind, owner;
  std::string due_date;  // YYYY-MM-DD, or "" while it counts from an event yet to happen
  nlohmann::json body;   // the obligation as the register shows it
};

// What the views across the book read of a contract (index_of), written with it.
struct BookMonth {
  std::string month;  // YYYY-MM
  std::int64_t recognised_minor = 0, billed_minor = 0;
};
struct BookIndex {
  std::string customer_name, owner, currency, service_start, service_end;
  std::int64_t total_minor = 0;
  // What the revenue schedule allocates (its transaction_price: after an amendment, the
  // modified consideration), else the plan's total.
  std::int64_t price_minor = 0;
  std::int64_t pending_minor = 0;  // revenue recognised at an event that has not happened
  std::vector<BookMonth> months;   // each month once, oldest first
};

// A monitor's latest finding for a contract (contracts.observe).
struct BookFinding {
  std::string contract_id, monitor, status, tag, due_on, currency, observed_on, instance_id;
  std::int64_t items = 0, amount_minor = 0;
  nlohmann::json body;
};

struct BookError {
  enum class Kind { Store, NotFound, Conflict, Invalid } kind = Kind::Store;
  StoreError error;
};

class ContractBook {
 public:
  virtual ~ContractBook() = default;
  // An agreement, MSA, SOW or order form at version 1 (again with the same state: repeated).
  virtual tl::expected<BookEntry, BookError> record(const std::string& ns, const BookEntry& e) = 0;
  // Amendment `a` of a.parent_id, moving the parent to `parent_state` at version
  // based_on + 1 only while it is at `based_on` (else Conflict).
  virtual tl::expected<BookEntry, BookError> amend(const std::string& ns, const BookEntry& a,
                                                   std::int64_t based_on,
                                                   const nlohmann::json& parent_state) = 0;
  // Replaces the state of contract `id` at `version`, only while its state is still the one
  // read (`state_sha256`); else Conflict.
  virtual tl::expected<void, BookError> settle(const std::string& ns, const std::string& id,
                                               std::int64_t version,
                                               const std::string& state_sha256,
                                               const nlohmann::json& state) = 0;
  virtual tl::expected<std::optional<BookEntry>, BookError> get(const std::string& ns,
                                                                const std::string& id) = 0;
  // Replaces contract `contract_id`'s obligations register, written by instance `writer`
  // (the same writer again replaces it; a register another instance wrote: Conflict).
  // Returns how many it holds.
  virtual tl::expected<std::size_t, BookError> record_obligations(
      const std::string& ns, const std::string& contract_id, const std::string& writer,
      const std::vector<Obligation>& register_) = 0;
  // Records a monitor's finding for a contract; an older observation than the one stored is
  // dropped (returns false).
  virtual tl::expected<bool, BookError> observe(const std::string& ns, const BookFinding& f) = 0;
  // The contracts titled `title_key`, or whose title starts with it and goes on (at most 20).
  virtual tl::expected<std::vector<BookEntry>, BookError> titled(const std::string& ns,
                                                                 const std::string& title_key) = 0;
};

// The views' figures of an entry's state: its customer's name, owner, plan currency, total and
// dates, and per month what its revenue schedule recognises (the schedule's periods) and what
// its plan bills (its invoices and subscription periods by issue month; a schedule entry
// recognised at an event not yet reached counts as pending), added in checked
// money arithmetic. A state without a plan has no money (an amendment: its agreement has it).
// Throws BadInput, naming the field, on a state that does not hold together.
BookIndex index_of(const nlohmann::json& state);
// contracts.observe's input ({contract_id, monitor, finding, notice?, currency?}) as the finding
// the book keeps, without who observed it or when. Throws BadInput, naming the field.
BookFinding finding_of(const nlohmann::json& in);

}  // namespace covenant::activities
