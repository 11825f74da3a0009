// WorkListener: PostgreSQL LISTEN/NOTIFY wake-ups for idle workers. Every transaction that
// enqueues tasks or timers sends NOTIFY covenant_work (WorkQueue::notify; delivered on
// commit); a listener holds its own connection with LISTEN covenant_work and exposes its
// socket so an Asio loop can wait on it next to its timer. SQLite has no listener: workers
// there poll. Not thread-safe: one listener per worker loop.
#pragma once

#include "engine/store/store.hpp"

#include <soci/soci.h>

#include <memory>

namespace covenant::engine::store {

class WorkListener {
 public:
  // nullptr for SQLite (no notifications) or when the connection cannot be opened.
  static std::unique_ptr<WorkListener> open(const Store& store);
  ~WorkListener();

  // False once the connection is lost (the server restarted): open a new listener.
  bool alive() const;
  // The connection's socket: readable when a notification (or anything) arrives.
  int fd() const;
  // Reads what arrived; true if at least one work notification was among it.
  bool drain();

 private:
  explicit WorkListener(std::unique_ptr<soci::session> s) : session_(std::move(s)) {}
  std::unique_ptr<soci::session> session_;
};

}  // namespace covenant::engine::store
