#include "sandbox/calendar.hpp"

#include "adapters/calendar/calendar.hpp"

namespace covenant::sandbox {

namespace {

using nlohmann::json;

// CalDAV answers errors as text (a real server sends a DAV:error XML body; the adapter reads
// only the status).
void dav_reply(httplib::Response& res, int status, const std::string& text) {
  res.status = status;
  res.set_content(text, "text/plain");
}

bool dav_auth(const httplib::Request& req) {
  return req.get_header_value("Authorization").rfind("Basic ", 0) == 0;
}

}  // namespace

void install_calendar(httplib::Server& http, RecordStore& db,
                      std::function<bool(const httplib::Request&, httplib::Response&)> injected,
                      std::function<bool(const httplib::Request&)> drop) {
  static const char* kPath = R"(/calendars/([A-Za-z0-9_.\-]{1,80})/([A-Za-z0-9_.\-]{1,120})\.ics)";
  http.Put(kPath, [&db, injected, drop](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res)) return;
    if (!dav_auth(req)) return dav_reply(res, 401, "Unauthorized");
    if (req.get_header_value("Content-Type").rfind("text/calendar", 0) != 0)
      return dav_reply(res, 415, "a calendar object resource is text/calendar");
    auto event = adapters::calendar::from_ical(req.body);
    if (!event) return dav_reply(res, 400, "valid-calendar-data: " + event.error().message);
    std::string calendar = req.matches[1], uid = req.matches[2];
    if (event->uid != uid)
      return dav_reply(res, 400, "valid-calendar-object-resource: the UID must name the resource");
    bool exists = false;
    std::string id = calendar + "/" + uid;
    auto r = db.run([&](RecordTx& tx) {
      exists = tx.get("caldav", "event", id).has_value();
      if (exists && req.get_header_value("If-None-Match") == "*") return;
      tx.put({"caldav",
              "event",
              id,
              "",
              {{"calendar", calendar},
               {"uid", uid},
               {"summary", event->title},
               {"date", event->date},
               {"description", event->description},
               {"organizer", event->organizer},
               {"attendees", event->attendees},
               {"ics", req.body}},
              0});
    });
    if (!r) return dav_reply(res, 500, r.error().message);
    if (exists && req.get_header_value("If-None-Match") == "*")
      return dav_reply(res, 412, "Precondition Failed: the resource exists");
    if (drop(req)) {
      res.status = 201;
      res.set_content_provider(1024, "text/plain",
                               [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
      return;
    }
    res.set_header("ETag", "\"" + uid + "\"");
    dav_reply(res, exists ? 204 : 201, "");
  });
  http.Get(kPath, [&db, injected](const httplib::Request& req, httplib::Response& res) {
    if (injected(req, res)) return;
    if (!dav_auth(req)) return dav_reply(res, 401, "Unauthorized");
    std::optional<Record> rec;
    std::string id = req.matches[1].str() + "/" + req.matches[2].str();
    auto r = db.run([&](RecordTx& tx) { rec = tx.get("caldav", "event", id); });
    if (!r) return dav_reply(res, 500, r.error().message);
    if (!rec) return dav_reply(res, 404, "Not Found");
    res.status = 200;
    res.set_content(rec->body.value("ics", ""), "text/calendar; charset=utf-8");
  });
}

}  // namespace covenant::sandbox
