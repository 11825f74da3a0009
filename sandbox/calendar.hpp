// The sandbox's calendar: a CalDAV server's calendar object resources (RFC 4791), enough for
// Covenant's invitations —
//   PUT /calendars/{calendar}/{uid}.ics   an iCalendar object (read with libical: one VEVENT
//                                         whose UID names the resource), If-None-Match: *
//                                         honoured (412 when it is there already)
//   GET /calendars/{calendar}/{uid}.ics   the object as it was stored
// with basic authentication and the fault rules of the other systems (a dropped connection
// after a PUT commits it, as a real server would). What it holds is listed by
// GET /_sandbox/records?system=caldav&kind=event. Thread-safe.
#pragma once

#include <httplib.h>

#include <functional>

#include "sandbox/record_store.hpp"

namespace covenant::sandbox {

// `injected`: the fault rules before a request (true: answered already); `drop`: after a
// committed PUT, whether to drop the connection instead of answering.
void install_calendar(httplib::Server& http, RecordStore& db,
                      std::function<bool(const httplib::Request&, httplib::Response&)> injected,
                      std::function<bool(const httplib::Request&)> drop);

}  // namespace covenant::sandbox
