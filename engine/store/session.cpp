#include "engine/store/session.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

namespace covenant::engine::store {

Error damaged_sqlite(const std::string& path) {
  return {ErrorCode::Corrupted,
          "the file " + path +
              " is damaged or is not a SQLite database: restore it from a backup (retrying will "
              "not help)",
          path};
}

tl::expected<std::unique_ptr<soci::session>, Error> open_session(const DatabaseUrl& url) {
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
  } catch (const soci::sqlite3_soci_error& e) {
    int rc = e.result() & 0xff;
    if (rc == 11 || rc == 26)  // SQLITE_CORRUPT, SQLITE_NOTADB
      return tl::unexpected(damaged_sqlite(url.connect));
    return tl::unexpected(
        Error{ErrorCode::Unavailable, "cannot open the database: " + e.get_error_message(), ""});
  } catch (const soci::soci_error& e) {
    return tl::unexpected(
        Error{ErrorCode::Unavailable, "cannot open the database: " + e.get_error_message(), ""});
  }
}

}  // namespace covenant::engine::store
