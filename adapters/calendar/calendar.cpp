#include "adapters/calendar/calendar.hpp"

#include "adapters/http/input.hpp"
#include "workflows/sha256.hpp"

#include <libical/ical.h>

#include <cstdio>
#include <ctime>
#include <regex>

namespace covenant::adapters::calendar {

namespace {

constexpr std::size_t kMaxIcal = 1 << 20;
constexpr std::size_t kMaxAttendees = 20;
const std::string kSystem = "caldav";

struct ComponentDeleter {
  void operator()(icalcomponent* c) const { icalcomponent_free(c); }
};
using Component = std::unique_ptr<icalcomponent, ComponentDeleter>;

icaltimetype day_of(const std::string& iso) {
  icaltimetype d = icaltime_null_date();
  d.year = std::stoi(iso.substr(0, 4));
  d.month = std::stoi(iso.substr(5, 2));
  d.day = std::stoi(iso.substr(8, 2));
  d.is_date = 1;
  return d;
}

std::string iso_of(const icaltimetype& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year % 10000, d.month % 100, d.day % 100);
  return buf;
}

std::string address_of(const char* cal_address) {
  std::string s = cal_address ? cal_address : "";
  if (s.size() >= 7 && (s.rfind("mailto:", 0) == 0 || s.rfind("MAILTO:", 0) == 0)) s = s.substr(7);
  return s;
}

// A real calendar day (2027-02-30 is not one).
bool real_day(const std::string& iso) {
  icaltimetype d = day_of(iso);
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= icaltime_days_in_month(d.month, d.year);
}

http::Error wrong_answer(const std::string& what) {
  return {http::Failure::Permanent, kSystem + ": " + what, 0, "bad_answer"};
}

}  // namespace

bool valid_address(const std::string& s) {
  static const std::regex re(
      R"(^[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(\.[A-Za-z0-9\-]{1,63}){1,8}$)");
  return s.size() <= 254 && std::regex_match(s, re);
}

std::string event_uid(const std::string& key) {
  return "covenant-" + workflows::sha256_hex(key).substr(0, 32);
}

std::string to_ical(const Invitation& inv, std::int64_t stamp_s) {
  Component cal(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  icalcomponent_add_property(cal.get(), icalproperty_new_prodid("-//Covenant//Covenant//EN"));
  icalcomponent_add_property(cal.get(), icalproperty_new_version("2.0"));
  icalcomponent_add_property(cal.get(), icalproperty_new_calscale("GREGORIAN"));
  icalcomponent* ev = icalcomponent_new(ICAL_VEVENT_COMPONENT);
  icalcomponent_add_property(ev, icalproperty_new_uid(inv.uid.c_str()));
  icalcomponent_add_property(
      ev, icalproperty_new_dtstamp(icaltime_from_timet_with_zone(static_cast<time_t>(stamp_s), 0,
                                                                 icaltimezone_get_utc_timezone())));
  icaltimetype start = day_of(inv.date), end = start;
  icaltime_adjust(&end, 1, 0, 0, 0);
  icalcomponent_add_property(ev, icalproperty_new_dtstart(start));
  icalcomponent_add_property(ev, icalproperty_new_dtend(end));
  icalcomponent_add_property(ev, icalproperty_new_summary(inv.title.c_str()));
  if (!inv.description.empty())
    icalcomponent_add_property(ev, icalproperty_new_description(inv.description.c_str()));
  icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_TRANSPARENT));
  icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
  icalcomponent_add_property(ev, icalproperty_new_sequence(0));
  if (!inv.organizer.empty())
    icalcomponent_add_property(ev, icalproperty_new_organizer(("mailto:" + inv.organizer).c_str()));
  for (const auto& a : inv.attendees) {
    icalproperty* p = icalproperty_new_attendee(("mailto:" + a).c_str());
    icalproperty_add_parameter(p, icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
    icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
    icalproperty_add_parameter(p, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
    icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
    icalcomponent_add_property(ev, p);
  }
  icalcomponent* alarm = icalcomponent_new(ICAL_VALARM_COMPONENT);
  icalcomponent_add_property(alarm, icalproperty_new_action(ICAL_ACTION_DISPLAY));
  icaltriggertype trigger;
  trigger.time = icaltime_null_time();
  trigger.duration = icaldurationtype_from_int(-inv.remind_days_before * 86400);
  icalcomponent_add_property(alarm, icalproperty_new_trigger(trigger));
  icalcomponent_add_property(alarm, icalproperty_new_description(inv.title.c_str()));
  icalcomponent_add_component(ev, alarm);
  icalcomponent_add_component(cal.get(), ev);
  char* text = icalcomponent_as_ical_string_r(cal.get());
  std::string out = text ? text : "";
  icalmemory_free_buffer(text);
  return out;
}

http::Result<Invitation> from_ical(const std::string& text) {
  if (text.empty()) return tl::unexpected(wrong_answer("an empty calendar object"));
  if (text.size() > kMaxIcal) return tl::unexpected(wrong_answer("a calendar object over 1 MiB"));
  if (text.find('\0') != std::string::npos)
    return tl::unexpected(wrong_answer("a calendar object with a NUL byte"));
  Component root(icalparser_parse_string(text.c_str()));
  if (!root) return tl::unexpected(wrong_answer("not iCalendar text"));
  icalcomponent* ev = icalcomponent_isa(root.get()) == ICAL_VEVENT_COMPONENT
                          ? root.get()
                          : icalcomponent_get_first_component(root.get(), ICAL_VEVENT_COMPONENT);
  if (!ev) return tl::unexpected(wrong_answer("no VEVENT in the calendar object"));
  if (icalcomponent_count_errors(root.get()) > 0)
    return tl::unexpected(wrong_answer("the calendar object does not parse cleanly"));
  Invitation inv;
  const char* uid = icalcomponent_get_uid(ev);
  if (!uid || !*uid) return tl::unexpected(wrong_answer("a VEVENT without a UID"));
  inv.uid = uid;
  if (const char* s = icalcomponent_get_summary(ev)) inv.title = s;
  if (const char* d = icalcomponent_get_description(ev)) inv.description = d;
  icaltimetype start = icalcomponent_get_dtstart(ev);
  if (icaltime_is_null_time(start) || !icaltime_is_valid_time(start))
    return tl::unexpected(wrong_answer("a VEVENT without a start"));
  inv.date = iso_of(start);
  if (icalproperty* o = icalcomponent_get_first_property(ev, ICAL_ORGANIZER_PROPERTY))
    inv.organizer = address_of(icalproperty_get_organizer(o));
  for (icalproperty* p = icalcomponent_get_first_property(ev, ICAL_ATTENDEE_PROPERTY); p;
       p = icalcomponent_get_next_property(ev, ICAL_ATTENDEE_PROPERTY))
    inv.attendees.push_back(address_of(icalproperty_get_attendee(p)));
  return inv;
}

http::Result<json> CalDav::invite(const json& in, const std::string& key, std::int64_t stamp_s) {
  auto calendar = http::id_field(in, "calendar", kSystem);
  if (!calendar) return tl::unexpected(calendar.error());
  auto title = http::text_field(in, "title", kSystem);
  if (!title) return tl::unexpected(title.error());
  if (title->size() > 255)
    return tl::unexpected(http::bad_input(kSystem, "'title' is at most 255 characters"));
  auto date = http::date_field(in, "date", kSystem, true);
  if (!date) return tl::unexpected(date.error());
  if (!real_day(*date))
    return tl::unexpected(http::bad_input(kSystem, "'date' " + *date + " is no calendar day"));
  auto description = http::text_field(in, "description", kSystem, false);
  if (!description) return tl::unexpected(description.error());
  if (description->size() > 4000)
    return tl::unexpected(http::bad_input(kSystem, "'description' is at most 4,000 characters"));
  Invitation inv;
  inv.uid = event_uid(key);
  inv.title = *title;
  inv.date = *date;
  inv.description = *description;
  inv.organizer = organizer_;
  if (!in.contains("attendees") || !in["attendees"].is_array() || in["attendees"].empty() ||
      in["attendees"].size() > kMaxAttendees)
    return tl::unexpected(
        http::bad_input(kSystem, "'attendees' is a list of 1 to 20 e-mail addresses"));
  for (const auto& a : in["attendees"]) {
    if (!a.is_string() || !valid_address(a.get<std::string>()))
      return tl::unexpected(http::bad_input(
          kSystem, "'attendees' holds " +
                       (a.is_string() ? "'" + a.get<std::string>().substr(0, 80) + "'"
                                      : a.dump().substr(0, 80)) +
                       ", which is not an e-mail address"));
    if (std::find(inv.attendees.begin(), inv.attendees.end(), a.get<std::string>()) ==
        inv.attendees.end())
      inv.attendees.push_back(a.get<std::string>());
  }
  if (in.contains("remind_days_before") && !in["remind_days_before"].is_null()) {
    const json& r = in["remind_days_before"];
    if (!r.is_number_integer() || r.get<std::int64_t>() < 0 || r.get<std::int64_t>() > 90)
      return tl::unexpected(
          http::bad_input(kSystem, "'remind_days_before' is a whole number of days, 0 to 90"));
    inv.remind_days_before = static_cast<int>(r.get<std::int64_t>());
  }
  std::string path = "/calendars/" + *calendar + "/" + inv.uid + ".ics";
  http::Request put;
  put.method = "PUT";
  put.path = path;
  put.body = to_ical(inv, stamp_s);
  put.content_type = "text/calendar; charset=utf-8";
  put.headers.push_back({"If-None-Match", "*"});
  put.repeatable = true;  // If-None-Match makes a second PUT a 412, never a second event
  auto sent = http_->send(put, [this](const http::Response& r) {
    http::Error e = http_->classify_default(r);
    if (r.status == 412) e.kind = http::Failure::AlreadyDone;
    return e;
  });
  json out = {{"system", kSystem},
              {"id", inv.uid},
              {"url", path},
              {"date", inv.date},
              {"attendees", inv.attendees},
              {"organizer", inv.organizer}};
  if (sent) {
    out["created"] = true;
    return out;
  }
  if (sent.error().kind != http::Failure::AlreadyDone) return tl::unexpected(sent.error());
  // Already there: an earlier attempt made it (or another event has our UID: refuse).
  http::Request get;
  get.path = path;
  auto got =
      http_->send(get, [this](const http::Response& r) { return http_->classify_default(r); });
  if (!got) return tl::unexpected(got.error());
  auto found = from_ical(got->body);
  if (!found) return tl::unexpected(found.error());
  if (found->uid != inv.uid)
    return tl::unexpected(wrong_answer("the event at " + path + " carries another UID"));
  out["created"] = false;
  out["date"] = found->date;
  out["attendees"] = found->attendees;
  return out;
}

}  // namespace covenant::adapters::calendar
