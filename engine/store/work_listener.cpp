#include "engine/store/work_listener.hpp"

#include "engine/store/session.hpp"

#include <soci/postgresql/soci-postgresql.h>

namespace covenant::engine::store {
namespace {

constexpr const char* kListen = "LISTEN covenant_work";
constexpr const char* kNotify = "NOTIFY covenant_work";

PGconn* conn(soci::session& s) {
  return static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_;
}

}  // namespace

Result<void> WorkQueue::notify(Tx& tx) {
  if (db_.dialect_.backend() != Backend::Postgres) return {};
  return db_.guard<void>("notify", [&]() -> Result<void> {
    tx.sql() << kNotify;
    return {};
  });
}

std::unique_ptr<WorkListener> WorkListener::open(const Store& store) {
  if (store.dialect().backend() != Backend::Postgres) return nullptr;
  auto parsed = parse_database_url(store.url());
  if (!parsed) return nullptr;
  auto s = open_session(*parsed);
  if (!s) return nullptr;
  try {
    **s << kListen;
  } catch (const soci::soci_error&) {
    return nullptr;
  }
  return std::unique_ptr<WorkListener>(new WorkListener(std::move(*s)));
}

WorkListener::~WorkListener() = default;

bool WorkListener::alive() const { return PQstatus(conn(*session_)) == CONNECTION_OK; }

int WorkListener::fd() const { return PQsocket(conn(*session_)); }

bool WorkListener::drain() {
  PGconn* c = conn(*session_);
  if (!PQconsumeInput(c)) return false;
  bool any = false;
  while (PGnotify* n = PQnotifies(c)) {
    any = true;
    PQfreemem(n);
  }
  return any;
}

}  // namespace covenant::engine::store
