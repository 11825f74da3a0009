#include "sandbox/servicenow.hpp"

#include <algorithm>
#include <cctype>

namespace covenant::sandbox {

namespace {

using nlohmann::json;

constexpr const char* kSystem = "servicenow";

json failure(const std::string& message, const std::string& detail) {
  return {{"error", {{"message", message}, {"detail", detail}}}, {"status", "failure"}};
}

// A record's value at a dotted path ("company.u_external_id" follows the reference).
std::string field(const json& rec, const std::string& path, RecordTx& tx) {
  auto dot = path.find('.');
  if (dot == std::string::npos)
    return rec.contains(path) && rec[path].is_string() ? rec[path].get<std::string>() : "";
  std::string ref = field(rec, path.substr(0, dot), tx);
  std::string head = path.substr(0, dot), rest = path.substr(dot + 1);
  std::string table = head == "company" ? "core_company" : head == "task" ? "incident" : head;
  if (head == "sla") return rest == "target" ? ref : "";  // the SLA definition's target
  auto r = tx.get(kSystem, table, ref);
  return r ? field(r->body, rest, tx) : "";
}

}  // namespace

Answer servicenow(const std::string& path, const json& query, RecordTx& tx) {
  std::string table = path.substr(std::string("/api/now/table/").size());
  if (table != "incident" && table != "task_sla")
    return {400, failure("Invalid table " + table, "")};
  auto number = [&](const char* name, long fallback) -> long {
    std::string v = query.value(name, "");
    if (v.empty()) return fallback;
    if (v.size() > 6 ||
        !std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
      return -1;
    return std::stol(v);
  };
  long limit = number("sysparm_limit", 10000), offset = number("sysparm_offset", 0);
  if (limit < 1 || offset < 0) return {400, failure("Invalid sysparm_limit or sysparm_offset", "")};
  std::vector<std::pair<std::string, std::string>> equal, at_least;
  std::string order;
  std::string q = query.value("sysparm_query", "");
  for (std::size_t start = 0; start <= q.size();) {
    auto end = q.find('^', start);
    if (end == std::string::npos) end = q.size();
    std::string term = q.substr(start, end - start);
    start = end + 1;
    if (term.empty()) continue;
    if (term.rfind("ORDERBY", 0) == 0) {
      order = term.substr(7);
    } else if (auto ge = term.find(">="); ge != std::string::npos) {
      at_least.emplace_back(term.substr(0, ge), term.substr(ge + 2));
    } else if (auto eq = term.find('='); eq != std::string::npos) {
      equal.emplace_back(term.substr(0, eq), term.substr(eq + 1));
    } else {
      return {400, failure("Invalid query", term)};
    }
  }
  std::vector<json> matched;
  for (const auto& r : tx.list(kSystem, table)) {
    bool ok = true;
    for (const auto& [f, v] : equal) ok = ok && field(r.body, f, tx) == v;
    for (const auto& [f, v] : at_least) ok = ok && field(r.body, f, tx) >= v;
    if (ok) matched.push_back(r.body);
  }
  if (!order.empty())
    std::stable_sort(matched.begin(), matched.end(), [&](const json& a, const json& b) {
      return field(a, order, tx) < field(b, order, tx);
    });
  json result = json::array();
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < matched.size() && result.size() < static_cast<std::size_t>(limit); ++i)
    result.push_back(matched[i]);
  return {200, {{"result", result}}};
}

void seed_servicenow(RecordTx& tx) {
  if (!tx.list(kSystem, "core_company").empty()) return;
  const char* companies[][3] = {
      {"c0a8010a1b2c3d4e5f60718293a4b5c6", "ACC-1001", "Acme Corporation"},
      {"c0a8010a1b2c3d4e5f60718293a4b5c7", "ACC-1002", "Globex GmbH"}};
  for (const auto& c : companies)
    tx.put({kSystem,
            "core_company",
            c[0],
            c[1],
            {{"sys_id", c[0]}, {"name", c[2]}, {"u_external_id", c[1]}},
            0});
  struct I {
    const char* sys_id;
    const char* company;
    const char* number;
    const char* subject;
    const char* priority;
    const char* state;
    const char* opened;
    const char* responded;  // "" when not yet
    const char* resolved;   // "" when open
    const char* stc;        // seconds from opened to resolved
  };
  const I incidents[] = {
      {"9d3a1e0f1b2c3d4e5f60718293a4b501", companies[0][0], "INC0010001", "Checkout API timing out",
       "1", "6", "2027-03-14 02:40:00", "2027-03-14 07:40:00", "2027-03-14 12:10:00", "34200"},
      {"9d3a1e0f1b2c3d4e5f60718293a4b502", companies[0][0], "INC0010002", "Report export slow", "3",
       "6", "2027-03-20 15:05:00", "2027-03-20 16:00:00", "2027-03-21 10:05:00", "68400"},
      {"9d3a1e0f1b2c3d4e5f60718293a4b503", companies[0][0], "INC0010003",
       "Password reset e-mails delayed", "2", "2", "2027-04-02 11:30:00", "2027-04-02 11:50:00", "",
       ""},
      {"9d3a1e0f1b2c3d4e5f60718293a4b504", companies[1][0], "INC0010004", "Dashboard widgets empty",
       "4", "6", "2027-02-10 08:00:00", "2027-02-10 09:00:00", "2027-02-11 08:00:00", "86400"},
  };
  int n = 0;
  for (const auto& i : incidents) {
    tx.put({kSystem,
            "incident",
            i.sys_id,
            i.number,
            {{"sys_id", i.sys_id},
             {"number", i.number},
             {"company", i.company},
             {"short_description", i.subject},
             {"priority", i.priority},
             {"state", i.state},
             {"opened_at", i.opened},
             {"resolved_at", i.resolved},
             {"sys_updated_on", *i.resolved ? i.resolved : i.opened},
             {"calendar_stc", i.stc}},
            0});
    std::string id = "5a1b2c3d4e5f60718293a4b5c6d7e8f" + std::to_string(++n);
    tx.put({kSystem,
            "task_sla",
            id,
            "",
            {{"sys_id", id},
             {"task", i.sys_id},
             {"sla", "response"},
             {"start_time", i.opened},
             {"end_time", i.responded},
             {"stage", *i.responded ? "completed" : "in_progress"}},
            0});
  }
}

}  // namespace covenant::sandbox
