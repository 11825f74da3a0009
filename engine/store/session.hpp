// Opening a SOCI session on either backend, configured the way Covenant needs it:
// SQLite in WAL mode with synchronous=FULL (every commit is fsynced) and a busy timeout;
// PostgreSQL through libpq's key=value string. The one place that knows how to connect.
// A soci::session is not thread-safe: one per thread or per transaction.
#pragma once

#include "engine/error.hpp"
#include "engine/store/database_url.hpp"

#include <soci/soci.h>
#include <tl/expected.hpp>

#include <memory>
#include <string>

namespace covenant::engine::store {

// Opens a session. Fails with Corrupted when the SQLite file is damaged or not a database
// (a plain message: what it is, what to do), else Unavailable with the driver's text (which
// never contains the password).
tl::expected<std::unique_ptr<soci::session>, Error> open_session(const DatabaseUrl& url);
// The Corrupted error for the SQLite file at `path`.
Error damaged_sqlite(const std::string& path);

}  // namespace covenant::engine::store
