// Tx: one database transaction on a session from the Store's pool, shared by every aggregate
// of the store (instances and history, work queue, approvals, outbox, documents, audit): a unit
// of work that touches several of them is still one transaction.
#pragma once

#include "engine/error.hpp"
#include "engine/store/scope.hpp"

#include <soci/soci.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace covenant::engine::store {

class Store;

// A statement prepared once on a session and executed again with new values: a subclass binds
// its parameters and results to its own members in its constructor (Tx::prepared). SQLite
// skips parsing and planning; PostgreSQL skips the PREPARE/DEALLOCATE round trips.
struct Prepared {
  explicit Prepared(soci::session& s) : st(s) {}
  virtual ~Prepared() = default;
  // Binds what was exchanged and prepares `sql`: the subclass's constructor calls it last.
  void prepare(const std::string& sql) {
    st.alloc();
    st.prepare(sql);
    st.define_and_bind();
  }
  soci::statement st;
};
using StatementCache = std::map<std::string, std::unique_ptr<Prepared>>;

// One database transaction, in one scope. Rolls back when destroyed uncommitted (an exception or an
// early return leaves nothing partial behind).
class Tx {
 public:
  Tx(Store& store, Scope scope, std::unique_ptr<soci::session> s,
     std::unique_lock<std::timed_mutex> writing = {});
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  soci::session& sql() { return *session_; }
  // Whose rows this transaction reads (scope.hpp): every query of a namespaced table binds it.
  const Scope& scope() const { return scope_; }
  Result<void> commit();
  // The statement `key` prepared on this transaction's session: made by `make(session)` on
  // first use, then kept with the session for later transactions. `key` must name one SQL
  // text. If running it throws, call forget(key).
  template <class T, class Make>
  T& prepared(const std::string& key, Make&& make) {
    StatementCache& cache = statements();
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, make(*session_)).first;
    return static_cast<T&>(*it->second);
  }
  void forget(const std::string& key) { statements().erase(key); }

 private:
  Store& store_;
  Scope scope_;
  std::unique_ptr<soci::session> session_;
  bool open_ = true;
  std::unique_lock<std::timed_mutex> writing_;  // SQLite: this process's turn to write
  const char* after_end_ = nullptr;             // run once the transaction has ended
  StatementCache* statements_ = nullptr;
  StatementCache& statements();
  friend class Store;
};

}  // namespace covenant::engine::store
