// The sandbox's work tools: Jira Cloud (/rest/api/3: issues created, searched by label, read;
// basic authentication) and Asana (/api/1.0: tasks created with an external gid, fetched by
// gid or external:gid; bearer token), with the fault rules of the other systems (a dropped
// connection after a create commits it, as a real system would), and
//   POST /_sandbox/worktools/complete  {system: jira|asana, id, at?}
// for a person finishing the work (Jira: status Done; Asana: completed). Thread-safe.
#pragma once

#include <httplib.h>

#include <functional>

#include "sandbox/record_store.hpp"

namespace covenant::sandbox {

// `injected`: the fault rules before a request (true: answered already); `drop`: after a
// committed create, whether to drop the connection instead of answering.
void install_worktools(httplib::Server& http, RecordStore& db,
                       std::function<bool(const httplib::Request&, httplib::Response&)> injected,
                       std::function<bool(const httplib::Request&)> drop);

}  // namespace covenant::sandbox
