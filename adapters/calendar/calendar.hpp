// Calendar invitations: a notice deadline or a milestone's due date as an iCalendar (RFC 5545)
// all-day event with its owners as attendees, written to a CalDAV calendar (RFC 4791); the
// calendar server sends the invitations to the attendees (CalDAV scheduling, RFC 6638). The
// iCalendar text is made and read with libical, never by hand.
//
// Exactly once: the event's UID is derived from the engine's idempotency key and the object is
// PUT with `If-None-Match: *`, so a retried step finds the event its first attempt made (412:
// already there; read back and checked). Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace covenant::adapters::calendar {

using nlohmann::json;

// One all-day event and who is invited to it.
struct Invitation {
  std::string uid;
  std::string title;
  std::string date;  // YYYY-MM-DD: the day of the deadline
  std::string description;
  std::string organizer;               // an e-mail address
  std::vector<std::string> attendees;  // e-mail addresses
  int remind_days_before = 1;          // a reminder this many days before (0: on the day)
};

// The iCalendar text of `inv` (VCALENDAR with one VEVENT and a VALARM), stamped `stamp_s`
// (seconds since 1970, UTC). Values are escaped by libical; addresses must be checked first.
std::string to_ical(const Invitation& inv, std::int64_t stamp_s);

// The first VEVENT of an iCalendar text (at most 1 MiB): its UID, title, date and attendees;
// an error saying what is wrong when the text is not one.
http::Result<Invitation> from_ical(const std::string& text);

// Whether `s` is an e-mail address fit for a calendar address (mailto:).
bool valid_address(const std::string& s);

// The UID an event made for idempotency key `key` carries.
std::string event_uid(const std::string& key);

class Calendar {
 public:
  virtual ~Calendar() = default;
  // in: {calendar, title, date (YYYY-MM-DD), attendees: [e-mail], description?,
  // remind_days_before?}; `key`: the engine's idempotency key; `stamp_s`: now (DTSTAMP).
  // Out: {system, id (the UID), url, created (false: found from an earlier attempt), date,
  // attendees, organizer}.
  virtual http::Result<json> invite(const json& in, const std::string& key,
                                    std::int64_t stamp_s) = 0;
};

// CalDAV with basic authentication (the account's e-mail, the organizer, and an app password):
// PUT {base}/calendars/{calendar}/{uid}.ics, and GET it back when it was already there.
class CalDav final : public Calendar {
 public:
  CalDav(std::shared_ptr<http::Client> client, std::string organizer)
      : http_(std::move(client)), organizer_(std::move(organizer)) {}
  http::Result<json> invite(const json& in, const std::string& key, std::int64_t stamp_s) override;

 private:
  std::shared_ptr<http::Client> http_;
  std::string organizer_;
};

}  // namespace covenant::adapters::calendar
