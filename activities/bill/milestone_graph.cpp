// milestones.schedule: a contract's milestones as a dependency graph ("Phase 2 begins upon the
// client's acceptance of Phase 1"). Each milestone starts when every milestone it depends on
// has been accepted (or on the start date, when it depends on none) and is due `duration_days`
// after it starts, unless the contract fixes its due date. Acceptances come from the project
// tool; when one arrives, the milestones after it get their real start and due dates. Before
// that they carry a projection (as if each predecessor were accepted on its due date). A graph
// that cannot be scheduled — a cycle, a dependency on a milestone that is not there, an
// acceptance before its predecessors' — is refused, naming it, so a person fixes the terms.
// Pure: no clock, no I/O.
#include "activities/input.hpp"
#include "activities/own.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace covenant::activities {

namespace {

using nlohmann::json;

constexpr const char* kScheduleActivity = "milestones.schedule";
constexpr std::size_t kMaxGraphMilestones = 500;

struct GraphMilestone {
  std::string id, name;
  std::vector<std::string> depends_on;
  std::int64_t duration_days = 0;
  std::optional<dates::Day> fixed_due;
  std::optional<dates::Day> accepted_on;
  json carry;  // the input's other members (amount, owner, evidence …), passed through
};

std::string milestone_id(const Field& f) {
  std::string id = f.text();
  if (id.empty() || id.size() > 80) f.fail("a milestone id is 1 to 80 characters");
  for (unsigned char c : id)
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.')
      f.fail("a milestone id is letters, digits, '-', '_' or '.'");
  return id;
}

// The cycle through `from`, as "a → b → a", found by walking dependencies depth first.
std::string cycle_through(const std::map<std::string, GraphMilestone>& all,
                          const std::string& from) {
  std::vector<std::string> path;
  std::set<std::string> on_path, done;
  std::string found;
  std::function<bool(const std::string&)> walk = [&](const std::string& id) {
    if (on_path.count(id)) {
      auto start = std::find(path.begin(), path.end(), id);
      for (auto it = start; it != path.end(); ++it) found += *it + " → ";
      found += id;
      return true;
    }
    if (done.count(id)) return false;
    on_path.insert(id);
    path.push_back(id);
    for (const auto& d : all.at(id).depends_on)
      if (walk(d)) return true;
    path.pop_back();
    on_path.erase(id);
    done.insert(id);
    return false;
  };
  walk(from);
  return found;
}

Outcome schedule_milestones(const json& in) {
  Field root(in, "");
  root.object();
  dates::Day start = root.at("start").date();
  Field list = root.at("milestones");
  auto items = list.items();
  if (items.empty()) list.fail("at least one milestone");
  if (items.size() > kMaxGraphMilestones)
    list.fail("at most " + std::to_string(kMaxGraphMilestones) + " milestones");
  std::map<std::string, GraphMilestone> all;
  std::vector<std::string> in_order;
  for (const auto& f : items) {
    f.object();
    GraphMilestone m;
    m.id = milestone_id(f.at("id"));
    if (all.count(m.id)) f.at("id").fail("two milestones are named '" + m.id + "'");
    m.name = f.text_or("name", m.id);
    if (f.has("depends_on"))
      for (const auto& d : f.at("depends_on").items()) {
        std::string dep = milestone_id(d);
        if (dep == m.id) d.fail("a milestone cannot wait for itself");
        if (std::find(m.depends_on.begin(), m.depends_on.end(), dep) == m.depends_on.end())
          m.depends_on.push_back(dep);
      }
    m.duration_days = f.integer_or("duration_days", 0, 0, 3650);
    if (f.has("due_date")) m.fixed_due = f.at("due_date").date();
    m.carry = f.raw();
    for (const char* k :
         {"id", "name", "depends_on", "duration_days", "due_date", "task", "invoice"})
      m.carry.erase(k);
    in_order.push_back(m.id);
    all.emplace(m.id, std::move(m));
  }
  for (const auto& f : items) {
    const auto& m = all.at(f.at("id").text());
    for (const auto& d : m.depends_on)
      if (!all.count(d))
        f.at("depends_on").fail("'" + m.id + "' depends on '" + d + "', which is no milestone");
  }
  // Acceptances from the project tool: {id: "YYYY-MM-DD"}.
  if (root.has("accepted")) {
    Field acc = root.at("accepted");
    acc.object();
    for (const auto& [id, v] : acc.raw().items()) {
      Field one(v, acc.path() + "." + id);
      auto it = all.find(id);
      if (it == all.end()) one.fail("no milestone '" + id + "' to accept");
      it->second.accepted_on = one.date();
    }
  }
  // What the workflow has done so far ({id: the task made, the invoice written}): the schedule
  // is the one register of the milestones' work, so a loop asks it what is left to do.
  auto bookkeeping = [&](const char* key) {
    std::map<std::string, json> done;
    if (!root.has(key)) return done;
    Field book = root.at(key);
    book.object();
    for (const auto& [id, v] : book.raw().items()) {
      if (!all.count(id)) Field(v, book.path() + "." + id).fail("no milestone '" + id + "'");
      if (v.is_null()) Field(v, book.path() + "." + id).fail("an object, not null");
      done.emplace(id, v);
    }
    return done;
  };
  auto tracked = bookkeeping("tracked");
  auto invoiced = bookkeeping("invoiced");
  // Kahn's order; what is left over sits on a cycle (or after one).
  std::map<std::string, int> waiting;
  std::map<std::string, std::vector<std::string>> after;
  for (const auto& id : in_order) {
    waiting[id] = static_cast<int>(all.at(id).depends_on.size());
    for (const auto& d : all.at(id).depends_on) after[d].push_back(id);
  }
  std::vector<std::string> order, ready;
  for (const auto& id : in_order)
    if (waiting[id] == 0) ready.push_back(id);
  while (!ready.empty()) {
    std::string id = ready.front();
    ready.erase(ready.begin());
    order.push_back(id);
    for (const auto& next : after[id])
      if (--waiting[next] == 0) ready.push_back(next);
  }
  if (order.size() != all.size()) {
    for (const auto& id : in_order)
      if (waiting[id] > 0)
        if (auto c = cycle_through(all, id); !c.empty())
          list.fail("the milestones wait for one another in a cycle: " + c);
    list.fail("the milestones wait for one another in a cycle");  // not reached
  }
  // Dates in dependency order: the real ones where acceptances are known, else projected.
  struct When {
    std::optional<dates::Day> starts, due, projected_start, projected_due;
  };
  std::map<std::string, When> when;
  json out = json::array(), to_track = json::array(), to_poll = json::array(),
       to_invoice = json::array();
  std::vector<std::string> open;
  for (const auto& id : order) {
    const GraphMilestone& m = all.at(id);
    When w;
    bool ready_now = true;
    dates::Day real = start, projected = start;
    std::vector<std::string> waiting_for;
    for (const auto& d : m.depends_on) {
      const GraphMilestone& p = all.at(d);
      const When& pw = when.at(d);
      if (p.accepted_on) {
        real = std::max(real, *p.accepted_on);
        projected = std::max(projected, *p.accepted_on);
      } else {
        ready_now = false;
        waiting_for.push_back(d);
        if (pw.projected_due) projected = std::max(projected, *pw.projected_due);
      }
    }
    auto due_from = [&](dates::Day s) {
      return m.fixed_due ? *m.fixed_due : s + std::chrono::days{m.duration_days};
    };
    w.projected_start = projected;
    w.projected_due = due_from(projected);
    if (ready_now) {
      w.starts = real;
      w.due = due_from(real);
    }
    if (m.accepted_on) {
      if (!ready_now)
        Field(in["accepted"][id], "accepted." + id)
            .fail("'" + id + "' was accepted before what it waits for: " + waiting_for.front());
      if (*m.accepted_on < *w.starts)
        Field(in["accepted"][id], "accepted." + id)
            .fail("'" + id + "' was accepted on " + dates::iso(*m.accepted_on) +
                  ", before it started on " + dates::iso(*w.starts));
    }
    std::string status = m.accepted_on ? "accepted" : ready_now ? "open" : "waiting";
    if (status == "open") open.push_back(id);
    if (tracked.count(id) && status == "waiting")
      Field(in["tracked"][id], "tracked." + id)
          .fail("'" + id + "' has a task but still waits for " + waiting_for.front());
    if (invoiced.count(id) && status != "accepted")
      Field(in["invoiced"][id], "invoiced." + id)
          .fail("'" + id + "' was invoiced but is not accepted");
    json j = m.carry;
    j["id"] = id;
    j["name"] = m.name;
    j["depends_on"] = m.depends_on;
    j["status"] = status;
    j["starts"] = w.starts ? json(dates::iso(*w.starts)) : json();
    j["due_date"] = w.due ? json(dates::iso(*w.due)) : json();
    j["projected_due"] = dates::iso(*w.projected_due);
    j["accepted_on"] = m.accepted_on ? json(dates::iso(*m.accepted_on)) : json();
    j["waiting_for"] = waiting_for;
    j["task"] = tracked.count(id) ? tracked.at(id) : json();
    j["invoice"] = invoiced.count(id) ? invoiced.at(id) : json();
    if (status == "open" && !tracked.count(id)) to_track.push_back(j);
    if (status != "accepted" && tracked.count(id)) to_poll.push_back(j);
    if (status == "accepted" && j.contains("amount") && !j["amount"].is_null() &&
        !invoiced.count(id))
      to_invoice.push_back(j);
    out.push_back(j);
    when.emplace(id, w);
  }
  bool all_accepted = std::all_of(all.begin(), all.end(),
                                  [](const auto& kv) { return kv.second.accepted_on.has_value(); });
  // What the accepted milestones not yet invoiced come to: one currency, checked arithmetic
  // (a gate shows this figure; it is never summed in an expression).
  json to_invoice_total;
  if (!to_invoice.empty()) {
    std::int64_t sum = 0;
    std::string currency;
    for (const auto& j : to_invoice) {
      Field amount(j["amount"], "milestones[" + j["id"].get<std::string>() + "].amount");
      amount.object();
      std::string c = amount.at("currency").currency();
      if (!currency.empty() && c != currency)
        amount.fail("the milestones to invoice are in " + currency + " and " + c +
                    ": one invoice run is one currency");
      currency = c;
      sum = checked_add(sum, amount.at("amount_minor").amount_minor(), "the milestones to invoice");
    }
    to_invoice_total = {{"amount_minor", sum}, {"currency", currency}};
  }
  json accepted = json::object(), tracked_out = json::object(), invoiced_out = json::object();
  for (const auto& [id, m] : all)
    if (m.accepted_on) accepted[id] = dates::iso(*m.accepted_on);
  for (const auto& [id, v] : tracked) tracked_out[id] = v;
  for (const auto& [id, v] : invoiced) invoiced_out[id] = v;
  return ok({{"milestones", out},
             {"order", order},
             {"open", open},
             {"complete", all_accepted},
             {"to_track", to_track},
             {"to_poll", to_poll},
             {"to_invoice", to_invoice},
             {"to_invoice_total", to_invoice_total},
             {"settled", all_accepted && to_invoice.empty()},
             {"accepted", accepted},
             {"tracked", tracked_out},
             {"invoiced", invoiced_out}});
}

}  // namespace

Outcome milestones_schedule(const json& in) {
  return refuse_bad_input(kScheduleActivity, [&] { return schedule_milestones(in); });
}

}  // namespace covenant::activities
