// The book of contracts in memory, as the app's is over the store (app/document_bridge.hpp):
// contracts by id and title, and each contract's obligations register with the instance that
// wrote it (another writer is refused, as the store refuses it). Thread-safe.
#pragma once

#include "activities/contract_book.hpp"

#include <map>
#include <mutex>

namespace covenant::testing {

class MemoryBook final : public activities::ContractBook {
 public:
  using BookEntry = activities::BookEntry;
  using BookError = activities::BookError;
  using json = nlohmann::json;

  void put(BookEntry e) {
    std::lock_guard lock(m_);
    rows_[e.contract_id] = std::move(e);
  }
  tl::expected<BookEntry, BookError> record(const std::string&, const BookEntry& e) override {
    std::lock_guard lock(m_);
    rows_[e.contract_id] = e;
    return e;
  }
  tl::expected<BookEntry, BookError> amend(const std::string&, const BookEntry& a, std::int64_t,
                                           const json&) override {
    return a;
  }
  tl::expected<void, BookError> settle(const std::string&, const std::string&, std::int64_t,
                                       const std::string&, const json&) override {
    return {};
  }
  tl::expected<std::optional<BookEntry>, BookError> get(const std::string&,
                                                        const std::string& id) override {
    std::lock_guard lock(m_);
    auto it = rows_.find(id);
    if (it == rows_.end()) return std::optional<BookEntry>();
    return std::optional<BookEntry>(it->second);
  }
  tl::expected<std::vector<BookEntry>, BookError> titled(const std::string&,
                                                         const std::string& key) override {
    std::lock_guard lock(m_);
    std::vector<BookEntry> out;
    for (const auto& [id, e] : rows_)
      if (e.title_key == key || e.title_key.rfind(key + " ", 0) == 0) out.push_back(e);
    return out;
  }
  tl::expected<std::size_t, BookError> record_obligations(
      const std::string&, const std::string& contract, const std::string& writer,
      const std::vector<activities::Obligation>& r) override {
    std::lock_guard lock(m_);
    auto w = writers_.find(contract);
    if (w != writers_.end() && w->second != writer)
      return tl::unexpected(BookError{BookError::Kind::Conflict, {"kept by " + w->second, false}});
    writers_[contract] = writer;
    registers_[contract] = r;
    return r.size();
  }
  tl::expected<bool, BookError> observe(const std::string&,
                                        const activities::BookFinding& f) override {
    std::lock_guard lock(m_);
    auto& at = findings_[f.contract_id + "/" + f.monitor];
    if (!at.observed_on.empty() && at.observed_on > f.observed_on) return false;
    at = f;
    return true;
  }
  std::optional<activities::BookFinding> finding(const std::string& contract,
                                                 const std::string& monitor) {
    std::lock_guard lock(m_);
    auto it = findings_.find(contract + "/" + monitor);
    if (it == findings_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<activities::Obligation> register_of(const std::string& contract) {
    std::lock_guard lock(m_);
    auto it = registers_.find(contract);
    return it == registers_.end() ? std::vector<activities::Obligation>() : it->second;
  }
  std::size_t registers() {
    std::lock_guard lock(m_);
    return registers_.size();
  }

 private:
  std::mutex m_;
  std::map<std::string, BookEntry> rows_;
  std::map<std::string, std::string> writers_;
  std::map<std::string, std::vector<activities::Obligation>> registers_;
  std::map<std::string, activities::BookFinding> findings_;
};

}  // namespace covenant::testing
