// The web/ folder (approver inbox, instance page), embedded at build time.
#pragma once

#include <map>
#include <string>

namespace covenant::app::http {

// Path relative to web/ (e.g. "inbox.html") -> contents.
const std::map<std::string, std::string>& web_assets();

}  // namespace covenant::app::http
