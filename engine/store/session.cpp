#include "engine/store/session.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace covenant::engine::store {

tl::expected<std::unique_ptr<soci::session>, std::string> open_session(const DatabaseUrl& url) {
  try {
    auto s = std::make_unique<soci::session>();
    if (url.backend == Backend::Sqlite) {
      s->open(*soci::factory_sqlite3(), "db=" + url.connect + " timeout=30");
      *s << "PRAGMA journal_mode=WAL";
      *s << "PRAGMA synchronous=FULL";
      *s << "PRAGMA foreign_keys=ON";
    } else {
      std::string connect = url.connect;
      // Keep the server's NOTICEs (e.g. "already exists, skipping") out of operators' logs.
      if (connect.find("options=") == std::string::npos)
        connect += " options='-c client_min_messages=warning'";
      s->open(*soci::factory_postgresql(), connect);
    }
    return s;
  } catch (const soci::soci_error& e) {
    return tl::unexpected(std::string("cannot open the database: ") + e.get_error_message());
  }
}

}  // namespace covenant::engine::store
