// obligations.record: a contract's obligations register — what it obliges each party to do and
// by when — put in the book once the terms are reviewed. The register holds:
//   - what extract.terms read and the reviewer confirmed (`terms.obligations`: reports,
//     certificates, audits, deliverables, each with its owner, due and evidence);
//   - the renewal window an auto-renewing contract opens (notice before its expiration);
//   - a payment milestone per milestone of the billing plan (or of the terms, without a plan),
//     owed by the customer; and a deliverable per SOW phase, owed by the provider.
// A due that counts from a date the terms give (effective, agreement or expiration date) is
// resolved to that day; one that counts from an event yet to happen (a request, a phase's
// acceptance, a quarter's end) or in business days stays relative: nothing is guessed. An
// obligation nobody was named for is kept as "unassigned" and listed, for a person to settle.
// The instance that runs the activity writes the register; a retry replaces it whole.
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <set>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kActivity = "obligations.record";
constexpr std::size_t kMaxExtracted = 200;
constexpr const char* kUnassigned = "unassigned";

const std::set<std::string>& dated_events() {
  static const std::set<std::string> s = {"effective_date", "agreement_date", "expiration_date"};
  return s;
}

// "Phase 2: Build" → "phase-2-build": the register's ids are a-z, 0-9 and '-'.
std::string slug(const std::string& s) {
  std::string out;
  for (char c : s) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool word = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9');
    if (word)
      out += l;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.substr(0, 64);
}

// 1250 basis points → "12.5%".
std::string percent(std::int64_t bp) {
  std::string out = std::to_string(bp / 100);
  if (bp % 100) {
    std::string cents = std::to_string(100 + bp % 100).substr(1);
    if (cents.back() == '0') cents.pop_back();
    out += "." + cents;
  }
  return out + "%";
}

// A duration as the register writes it: {value, unit} with the unit plural.
json span(const Field& f) {
  f.object();
  json out = {{"value", f.at("value").integer(0, 3650)},
              {"unit", f.at("unit").one_of(
                           {"day", "days", "week", "weeks", "month", "months", "year", "years"})}};
  std::string u = out["unit"];
  if (u.back() != 's') out["unit"] = u + "s";
  return out;
}

class Register {
 public:
  Register(const Field& root) : root_(root), terms_(root.at("terms")) {
    terms_.object();
    customer_ = root.text_or("customer", "customer");
    provider_ = root.text_or("provider", other_party(root.text_or("customer_party", "")));
    if (customer_.empty() || customer_.size() > 200)
      root.at("customer").fail("is 1 to 200 characters");
    if (provider_.empty() || provider_.size() > 200)
      root.at("provider").fail("is 1 to 200 characters");
  }

  json build() {
    extracted();
    renewal_window();
    payments();
    return items_;
  }

 private:
  const Field& root_;
  Field terms_;
  std::string customer_, provider_;
  json items_ = json::array();
  std::set<std::string> ids_;

  // Of a contract between two parties, the one that is not `customer` (as the contract names
  // the customer); "provider" when that is not plain.
  std::string other_party(const std::string& customer) const {
    json parties = term_value(terms_.raw(), "parties");
    if (customer.empty() || !parties.is_array() || parties.size() != 2) return "provider";
    std::vector<std::string> names;
    for (const auto& p : parties)
      names.push_back(
          p.is_object() && p.value("name", json()).is_string() ? p["name"].get<std::string>() : "");
    if (names[0] == customer && !names[1].empty()) return names[1];
    if (names[1] == customer && !names[0].empty()) return names[0];
    return "provider";
  }

  void add(const Field& at, json o) {
    if (!ids_.insert(o["id"].get<std::string>()).second)
      at.fail("obligation '" + o["id"].get<std::string>() + "' is in the register twice");
    items_.push_back(std::move(o));
  }

  // The day a term names, when it is one ("perpetual" and a missing date are not).
  std::optional<dates::Day> term_day(const std::string& name) const {
    json v = term_value(terms_.raw(), name.c_str());
    return v.is_string() ? dates::parse(v.get<std::string>()) : std::nullopt;
  }

  // The due's calendar day, where the terms make it one.
  std::string resolved(const json& due, bool business_days) const {
    if (due.contains("date") && due["date"].is_string()) return due["date"];
    if (due.contains("every") && !due["every"].is_null()) return "";
    std::string event =
        due.value("event", json()).is_string() ? due["event"].get<std::string>() : "";
    if (!dated_events().count(event)) return "";
    auto base = term_day(event);
    if (!base) return "";
    for (const char* side : {"after", "before"}) {
      if (!due.contains(side) || due[side].is_null()) continue;
      if (business_days) return "";  // which days are business days is the parties' to say
      int n = due[side]["value"].get<int>();
      auto d = dates::add(*base, std::string(side) == "before" ? -n : n, due[side]["unit"]);
      return d ? dates::iso(*d) : "";
    }
    return dates::iso(*base);
  }

  void extracted() {
    Field list = terms_.term("obligations");
    if (list.raw().is_null()) return;
    auto items = list.items();
    if (items.size() > kMaxExtracted)
      list.fail("at most " + std::to_string(kMaxExtracted) + " obligations");
    for (const auto& f : items) {
      f.object();
      std::string id = f.at("id").text();
      if (id.empty() || slug(id) != id) f.at("id").fail("is 1 to 64 of a-z, 0-9 and '-'");
      std::string kind = f.at("kind").one_of({"deliverable", "report", "certificate", "audit",
                                              "payment_milestone", "renewal_window", "other"});
      std::string description = f.at("description").text();
      if (description.empty() || description.size() > 1000)
        f.at("description").fail("says what is owed, in 1 to 1000 characters");
      json o = {{"id", id}, {"kind", kind}, {"description", description}};
      std::string owner = f.has("owner") ? f.at("owner").text() : "";
      if (owner.size() > 200) f.at("owner").fail("is at most 200 characters");
      o["owner"] = owner.empty() ? json(kUnassigned) : json(owner);
      json due = nullptr;
      if (f.has("due")) {
        Field d = f.at("due");
        d.object();
        due = json::object();
        if (d.has("date")) due["date"] = dates::iso(d.at("date").date());
        if (d.has("event")) {
          std::string e = d.at("event").text();
          if (e.empty() || e.size() > 200) d.at("event").fail("names the event it counts from");
          due["event"] = e;
        }
        if (d.has("every"))
          due["every"] = d.at("every").one_of({"month", "quarter", "half_year", "year"});
        for (const char* side : {"after", "before"})
          if (d.has(side)) {
            if (!due.contains("event")) d.at(side).fail("counts from an event: give 'event'");
            due[side] = span(d.at(side));
          }
        if (due.empty()) d.fail("says when: {date}, or {event, after|before}, or {every}");
      }
      o["due"] = due;
      o["acceptance"] = f.has("acceptance") ? json(f.at("acceptance").text()) : json();
      if (f.has("confidence")) o["confidence"] = f.at("confidence").raw();
      json evidence = f.has("evidence") ? f.at("evidence").raw() : json();
      o["evidence"] = evidence.is_object() ? evidence : json();
      o["source"] = "extracted";
      std::string quoted = evidence.is_object() && evidence.value("text", json()).is_string()
                               ? evidence["text"].get<std::string>()
                               : description;
      bool business = quoted.find("business day") != std::string::npos ||
                      quoted.find("Business Day") != std::string::npos;
      o["due_date"] = due.is_null() ? json() : json(resolved(due, business));
      if (o["due_date"] == "") o["due_date"] = nullptr;
      add(f, std::move(o));
    }
  }

  // An auto-renewing contract renews unless a party says otherwise in time.
  void renewal_window() {
    if (term_value(terms_.raw(), "auto_renewal") != true) return;
    json notice = term_value(terms_.raw(), "notice_period_to_terminate_renewal");
    json due = {{"event", "expiration_date"}};
    if (notice.is_object()) due["before"] = span(terms_.term("notice_period_to_terminate_renewal"));
    std::string when = resolved(due, false);
    add(terms_,
        {{"id", "renewal_window-1"},
         {"kind", "renewal_window"},
         {"description", notice.is_object()
                             ? "Notice of non-renewal, or the contract renews at its expiration"
                             : "Decide on renewal: the contract renews at its expiration"},
         {"owner", "each party"},
         {"due", due},
         {"acceptance", nullptr},
         {"evidence", nullptr},
         {"source", "derived from auto_renewal and notice_period_to_terminate_renewal"},
         {"due_date", when.empty() ? json() : json(when)}});
  }

  // Each payment milestone the customer owes, and each SOW phase the provider delivers.
  void payments() {
    if (root_.has("plan")) {
      Field plan = root_.at("plan");
      plan.object();
      if (!plan.has("milestones")) return;
      for (const auto& m : plan.at("milestones").items()) {
        m.object();
        std::int64_t index = m.at("index").integer(1, 1000);
        std::string event = m.at("event").text();
        json due = m.has("date") ? json{{"date", dates::iso(m.at("date").date())}}
                                 : json{{"event", event}};
        add(m, {{"id", "payment_milestone-" + std::to_string(index)},
                {"kind", "payment_milestone"},
                {"description", m.text_or("description", "Milestone payment on " + event)},
                {"owner", customer_},
                {"due", due},
                {"amount", m.has("amount") ? m.at("amount").raw() : json()},
                {"acceptance", nullptr},
                {"evidence", nullptr},
                {"source", "derived from the billing plan's milestones"},
                {"due_date", due.contains("date") ? due["date"] : json()}});
        if (m.has("id")) phase(m);
      }
      return;
    }
    Field ms = terms_.term("milestones");
    if (ms.raw().is_null()) return;
    std::int64_t i = 0;
    for (const auto& m : ms.items()) {
      m.object();
      std::int64_t bp = m.at("basis_points").integer(0, 10000);
      std::string event = m.at("event").text();
      add(m, {{"id", "payment_milestone-" + std::to_string(++i)},
              {"kind", "payment_milestone"},
              {"description", percent(bp) + " of the one-time fees on " + event},
              {"owner", customer_},
              {"due", {{"event", event}}},
              {"acceptance", nullptr},
              {"evidence", nullptr},
              {"source", "derived from the terms' milestones"},
              {"due_date", nullptr}});
    }
  }

  // An SOW phase: delivered by the provider, due its duration after its predecessors are
  // accepted (after the service start when it has none), accepted by the customer.
  void phase(const Field& m) {
    std::string pid = m.at("id").text();
    std::string id = slug(slug(pid).rfind("phase", 0) == 0 ? pid : "phase-" + pid);
    std::vector<std::string> after;
    if (m.has("depends_on"))
      for (const auto& d : m.at("depends_on").items()) after.push_back(d.text());
    std::string event = "service start";
    if (!after.empty()) {
      event = "acceptance of ";
      for (std::size_t i = 0; i < after.size(); ++i) event += (i ? " and " : "") + after[i];
    }
    json due = {{"event", event}};
    if (m.has("duration_days"))
      due["after"] = {{"value", m.at("duration_days").integer(0, 3650)}, {"unit", "days"}};
    json date = m.has("due_date") ? json(dates::iso(m.at("due_date").date())) : json();
    if (date.is_string()) due["date"] = date;
    add(m, {{"id", id},
            {"kind", "deliverable"},
            {"description", m.text_or("name", pid)},
            {"owner", provider_},
            {"due", due},
            {"acceptance", "accepted by " + customer_},
            {"evidence", nullptr},
            {"source", "derived from the SOW's phases"},
            {"due_date", date}});
  }
};

}  // namespace

json obligations_register(const json& in) {
  Field root(in, "");
  root.object();
  return Register(root).build();
}

Outcome obligations_record(const Systems& s, const json& in, const std::string& key) {
  return refuse_bad_input(kActivity, [&]() -> Outcome {
    Field root(in, "");
    root.object();
    std::string contract = root.at("contract_id").text();
    if (contract.empty() || contract.size() > 200)
      root.at("contract_id").fail("must be 1 to 200 characters");
    json items = Register(root).build();
    std::string writer = key.substr(0, key.find('/'));
    if (writer.empty())
      return invalid_input(kActivity, "a register is written by a workflow instance (no key)");
    if (!s.book) return error("NotConfigured", std::string(kActivity) + ": no contract book");
    std::vector<Obligation> rows;
    json unassigned = json::array(), undated = json::array();
    for (const auto& o : items) {
      rows.push_back({o["id"], o["kind"], o["owner"],
                      o["due_date"].is_string() ? o["due_date"].get<std::string>() : "", o});
      if (o["owner"] == kUnassigned) unassigned.push_back(o["id"]);
      if (o["due"].is_null()) undated.push_back(o["id"]);
    }
    auto r = s.book->record_obligations(s.ns, contract, writer, rows);
    if (!r) {
      const BookError& e = r.error();
      std::string m = std::string(kActivity) + ": " + e.error.message;
      if (e.kind == BookError::Kind::Conflict) return error("Conflict", m);
      if (e.kind == BookError::Kind::Invalid) return error("InvalidInput", m);
      return error(e.error.retryable ? "Unavailable" : "Internal", m, e.error.retryable);
    }
    return ok({{"contract_id", contract},
               {"recorded", *r},
               {"obligations", items},
               {"unassigned", unassigned},
               {"undated", undated}});
  });
}

}  // namespace covenant::activities
