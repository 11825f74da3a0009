// Opening a SOCI session on either backend, configured the way Covenant needs it:
// SQLite in WAL mode with synchronous=FULL (every commit is fsynced) and a busy timeout;
// PostgreSQL through libpq's key=value string. The one place that knows how to connect.
// A soci::session is not thread-safe: one per thread or per transaction.
#pragma once

#include "engine/store/database_url.hpp"

#include <soci/soci.h>
#include <tl/expected.hpp>

#include <memory>
#include <string>

namespace covenant::engine::store {

// Opens a session; on failure returns a message fit for an operator (the driver's text,
// which never contains the password).
tl::expected<std::unique_ptr<soci::session>, std::string> open_session(const DatabaseUrl& url);

}  // namespace covenant::engine::store
