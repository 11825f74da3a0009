// Calendar invitations over real HTTP against the sandbox's CalDAV calendar: the iCalendar text
// libical makes (an all-day event, its owners as attendees, a reminder), written once per step
// however often the step runs — also when the connection drops after the server stored it —
// values that would forge properties escaped, addresses that could not be escaped refused, and
// a server's answer that is not iCalendar refused with what is wrong.
#include "tests/app/sandbox_fixture.hpp"

namespace {

using covenant::adapters::calendar::from_ical;
using covenant::adapters::calendar::Invitation;
using covenant::adapters::calendar::to_ical;
using covenant::testing::SandboxServer;
using nlohmann::json;

constexpr std::int64_t kStamp = 1'800'000'000;  // 2027-01-15T08:00:00Z

json notice() {
  return {{"calendar", "renewals"},
          {"title", "Notice deadline: C-1042 renews unless notice is given"},
          {"date", "2027-11-21"},
          {"description", "Acme Corporation, contract C-1042: 60 days' notice before 2028-01-20."},
          {"attendees", {"revops@covenant.test", "owner@covenant.test"}},
          {"remind_days_before", 14}};
}

json notice_with(const char* key, const json& value) {
  json n = notice();
  n[key] = value;
  return n;
}

// The line starting with `prefix`, unfolded (RFC 5545 folds lines longer than 75 octets).
std::string line_of(const std::string& folded, const std::string& prefix) {
  std::string ics;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (folded.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    ics += folded[i];
  }
  auto at = ics.find("\n" + prefix);
  if (at == std::string::npos) return "";
  auto end = ics.find("\r\n", at + 1);
  return ics.substr(at + 1, end - at - 1);
}

}  // namespace

TEST_CASE("A calendar invitation is the iCalendar libical makes, and reads back the same") {
  Invitation inv{"covenant-abc",
                 "Phase 1 due; review, sign-off",
                 "2027-03-31",
                 "Line one\nline two",
                 "ops@covenant.test",
                 {"pm@covenant.test"},
                 2};
  std::string ics = to_ical(inv, kStamp);
  INFO(ics);
  CHECK(ics.rfind("BEGIN:VCALENDAR\r\n", 0) == 0);
  CHECK(line_of(ics, "DTSTART") == "DTSTART;VALUE=DATE:20270331");
  CHECK(line_of(ics, "DTEND") == "DTEND;VALUE=DATE:20270401");
  CHECK(line_of(ics, "DTSTAMP") == "DTSTAMP:20270115T080000Z");
  CHECK(line_of(ics, "SUMMARY") == "SUMMARY:Phase 1 due\\; review\\, sign-off");
  CHECK(line_of(ics, "TRIGGER") == "TRIGGER:-P2D");
  CHECK(line_of(ics, "ORGANIZER") == "ORGANIZER:mailto:ops@covenant.test");
  CHECK(line_of(ics, "ATTENDEE").find("mailto:pm@covenant.test") != std::string::npos);
  CHECK(line_of(ics, "ATTENDEE").find("RSVP=TRUE") != std::string::npos);
  auto back = from_ical(ics);
  REQUIRE(back);
  CHECK(back->uid == "covenant-abc");
  CHECK(back->title == inv.title);
  CHECK(back->description == inv.description);
  CHECK(back->date == "2027-03-31");
  CHECK(back->organizer == "ops@covenant.test");
  CHECK(back->attendees == std::vector<std::string>{"pm@covenant.test"});

  // Text cannot forge a property: a line break in a title stays inside the SUMMARY.
  Invitation forged = inv;
  forged.title = "Due\r\nATTENDEE:mailto:mallory@evil.test\r\nX";
  auto f = from_ical(to_ical(forged, kStamp));
  REQUIRE(f);
  CHECK(f->attendees == std::vector<std::string>{"pm@covenant.test"});
  CHECK(f->title.find("mallory") != std::string::npos);

  // Answers that are not one event: refused, saying what is wrong.
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {"", "empty"},
           {"<html>502 Bad Gateway</html>", "not iCalendar"},
           {"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no VEVENT"},
           {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "without a UID"},
           {"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART:not-a-date\r\nEND:VEVENT\r\n"
            "END:VCALENDAR\r\n",
            ""},
           {std::string("BEGIN:VCALENDAR\0", 16), "NUL"},
           {std::string(2 << 20, 'A'), "over 1 MiB"}}) {
    auto r = from_ical(text);
    INFO(text.substr(0, 80));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_answer");
    CHECK(r.error().message.find(why) != std::string::npos);
  }
}

TEST_CASE("A calendar invitation is written once per step, also when the connection drops") {
  SandboxServer sb;
  auto calendar = sb.calendar();
  auto first = calendar->invite(notice(), "inst-1/renewal_notice/1", kStamp);
  REQUIRE(first);
  CHECK((*first)["created"] == true);
  CHECK((*first)["date"] == "2027-11-21");
  std::string uid = (*first)["id"];
  CHECK(uid.rfind("covenant-", 0) == 0);
  auto stored = sb.records("caldav", "event");
  REQUIRE(stored.size() == 1);
  const json& ev = stored[0]["body"];
  CHECK(ev["uid"] == uid);
  CHECK(ev["date"] == "2027-11-21");
  CHECK(ev["organizer"] == "ops@covenant.test");
  CHECK(ev["attendees"] == json({"revops@covenant.test", "owner@covenant.test"}));
  std::string ics = ev["ics"];
  CHECK(line_of(ics, "TRIGGER") == "TRIGGER:-P2W");  // fourteen days, as libical writes it

  // The same step again (a retry, a redelivered task): found, not made twice.
  auto again = calendar->invite(notice(), "inst-1/renewal_notice/1", kStamp + 60);
  REQUIRE(again);
  CHECK((*again)["created"] == false);
  CHECK((*again)["id"] == uid);
  CHECK(sb.records("caldav", "event").size() == 1);

  // Stored, then the connection drops: the client sends the PUT again (If-None-Match makes
  // that safe), the server answers 412, and the adapter reads back the event it made.
  std::string path = "/calendars/renewals/";
  sb.fault({{"method", "PUT"}, {"path_prefix", path}, {"drop_after_commit", 1}});
  auto dropped = calendar->invite(notice(), "inst-2/renewal_notice/1", kStamp);
  REQUIRE(dropped);
  CHECK((*dropped)["created"] == false);
  CHECK(sb.records("caldav", "event").size() == 2);

  // A 503: sent again by the client, made once.
  sb.fault({{"method", "PUT"}, {"path_prefix", path}, {"fail_next", 1}, {"status", 503}});
  auto busy = calendar->invite(notice(), "inst-3/renewal_notice/1", kStamp);
  REQUIRE(busy);
  CHECK((*busy)["created"] == true);
  CHECK(sb.records("caldav", "event").size() == 3);

  // Input refused before any call: addresses that could carry a property, days that are not.
  std::vector<json> bad;
  for (const json& attendees :
       {json::array(), json{"revops@covenant.test\r\nATTENDEE:mailto:x@evil.test"},
        json{"not an address"}, json{42}, json("revops@covenant.test")})
    bad.push_back(notice_with("attendees", attendees));
  json many = json::array();
  for (int i = 0; i < 21; ++i) many.push_back("p" + std::to_string(i) + "@covenant.test");
  bad.push_back(notice_with("attendees", many));
  for (const char* date : {"2027-02-30", "2027-13-01", "21 Nov 2027"})
    bad.push_back(notice_with("date", date));
  bad.push_back(notice_with("calendar", "../admin"));
  bad.push_back(notice_with("remind_days_before", 91));
  bad.push_back(notice_with("title", std::string(256, 't')));
  for (const auto& in : bad) {
    INFO(in.dump());
    auto r = calendar->invite(in, "inst-9/bad/1", kStamp);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "bad_input");
  }
  std::string never = covenant::adapters::calendar::event_uid("inst-9/bad/1");
  json seen = sb.requests();
  for (auto it = seen.begin(); it != seen.end(); ++it)
    CHECK(it.key().find(never) == std::string::npos);
  CHECK(sb.records("caldav", "event").size() == 3);
}
