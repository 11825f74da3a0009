// Instances and their history, read (instances.cpp, store_batch.cpp). They are written
// only through a WriteBatch (Store::flush): the one write form of transitions.
#pragma once

#include "engine/error.hpp"
#include "engine/history/event.hpp"
#include "engine/model/instance.hpp"
#include "engine/store/tx.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace covenant::engine::store {

// Instances listed oldest first; all filters optional (empty or 0: any).
struct InstanceFilter {
  std::string status, workflow, business_key;
  std::string version;     // the definition digest the instances run
  bool open_gate = false;  // only instances waiting at an open approval gate
  std::int64_t created_from_us = 0, created_to_us = 0;  // [from, to)
  std::int64_t updated_before_us = 0;                   // unchanged since (idle): 0 any
  std::int64_t after_us = 0;                            // keyset cursor: (created_us, id)
  std::string after_id;
  int limit = 100;
};

class Instances {
 public:
  explicit Instances(Store& db) : db_(db) {}
  // The instance id already started under `start_key`, if any.
  Result<std::optional<std::string>> for_start_key(Tx& tx, const std::string& ns,
                                                   const std::string& start_key);
  // A running (or compensating) instance of `workflow` in `ns` under `business_key`, if any.
  Result<std::optional<std::string>> running_with_business_key(Tx& tx, const std::string& ns,
                                                               const std::string& workflow,
                                                               const std::string& business_key);
  // Reads in `scope`: an instance of another namespace is not there.
  Result<std::optional<model::Instance>> get(const Scope& scope, const std::string& id);
  Result<std::vector<model::Instance>> find(const Scope& scope, const InstanceFilter& f);
  // Running instances with no ready or leased task, no pending timer and no open approval,
  // least recently updated first: waiting for an event, or stranded (runtime::stranded). In
  // every namespace (the engine's sweep).
  Result<std::vector<model::Instance>> running_without_work(int limit);
  Result<std::vector<history::Event>> history(const Scope& scope, const std::string& instance_id,
                                              std::int64_t after_seq = 0, int limit = 1000000);
  // Locks the instances with these ids (those that exist), in id order (two transactions
  // never wait on each other in a cycle), and returns their versions. lock and load skip
  // instances outside the transaction's scope.
  Result<std::map<std::string, std::int64_t>> lock(Tx& tx, const std::vector<std::string>& ids);
  // Reads the instances with these ids (those that exist): locking them as lock does when
  // `lock`, or in a transaction that has locked them already.
  Result<std::map<std::string, model::Instance>> load(Tx& tx, const std::vector<std::string>& ids,
                                                      bool lock = false);

 private:
  // Instances matching `where` (SQL after FROM, one text parameter), through the statement
  // prepared under `key`; throws soci_error.
  std::vector<model::Instance> read(Tx& tx, const std::string& key, const std::string& where,
                                    const std::string& param);
  Store& db_;
};

}  // namespace covenant::engine::store
