#include "sandbox/worktools.hpp"

#include <regex>

namespace covenant::sandbox {

namespace {

using nlohmann::json;

void work_reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void work_drop(httplib::Response& res) {
  res.status = 201;
  res.set_content_provider(1024, "application/json",
                           [](std::size_t, std::size_t, httplib::DataSink&) { return false; });
}

json jira_error(const std::string& m) {
  return {{"errorMessages", json::array({m})}, {"errors", json::object()}};
}
json asana_error(const std::string& m) { return {{"errors", json::array({{{"message", m}}})}}; }

}  // namespace

void install_worktools(httplib::Server& http, RecordStore& db,
                       std::function<bool(const httplib::Request&, httplib::Response&)> injected,
                       std::function<bool(const httplib::Request&)> drop) {
  auto jira_auth = [](const httplib::Request& req) {
    return req.get_header_value("Authorization").rfind("Basic ", 0) == 0;
  };
  auto asana_auth = [](const httplib::Request& req) {
    std::string a = req.get_header_value("Authorization");
    return a.rfind("Bearer ", 0) == 0 && a.size() > 7;
  };
  http.Get("/rest/api/3/search/jql", [&db, injected, jira_auth](const httplib::Request& req,
                                                                httplib::Response& res) {
    if (injected(req, res)) return;
    if (!jira_auth(req)) return work_reply(res, 401, jira_error("Unauthorized"));
    static const std::regex label_re(R"re(^\s*labels\s*=\s*"([^"]+)"\s*$)re");
    std::smatch m;
    std::string jql = req.get_param_value("jql");
    if (!std::regex_match(jql, m, label_re))
      return work_reply(res, 400, jira_error("The sandbox answers JQL of the form labels = \"x\""));
    json issues = json::array();
    auto r = db.run([&](RecordTx& tx) {
      for (const auto& rec : tx.list("jira", "issue"))
        for (const auto& l : rec.body["fields"].value("labels", json::array()))
          if (l == m[1].str()) issues.push_back(rec.body);
    });
    if (!r) return work_reply(res, 500, jira_error(r.error().message));
    work_reply(res, 200, {{"issues", issues}, {"isLast", true}});
  });
  http.Post("/rest/api/3/issue", [&db, injected, drop, jira_auth](const httplib::Request& req,
                                                                  httplib::Response& res) {
    if (injected(req, res)) return;
    if (!jira_auth(req)) return work_reply(res, 401, jira_error("Unauthorized"));
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("fields") || !body["fields"].is_object())
      return work_reply(res, 400, jira_error("The request body must hold 'fields'"));
    json f = body["fields"];
    json errors = json::object();
    if (!f.contains("summary") || !f["summary"].is_string() ||
        f["summary"].get<std::string>().empty())
      errors["summary"] = "You must specify a summary of the issue.";
    if (!f.contains("project") || !f["project"].is_object() || !f["project"].contains("key"))
      errors["project"] = "Specify a valid project ID or key";
    if (!errors.empty())
      return work_reply(res, 400, {{"errorMessages", json::array()}, {"errors", errors}});
    json issue;
    auto r = db.run([&](RecordTx& tx) {
      std::int64_t n = tx.next("jira_issue");
      std::string key = f["project"]["key"].get<std::string>() + "-" + std::to_string(n);
      f["status"] = {{"name", "To Do"}, {"statusCategory", {{"key", "new"}}}};
      f["resolutiondate"] = nullptr;
      issue = {{"id", std::to_string(10000 + n)}, {"key", key}, {"fields", f}};
      tx.put({"jira", "issue", key, "", issue, 0});
    });
    if (!r) return work_reply(res, 500, jira_error(r.error().message));
    if (drop(req)) return work_drop(res);
    work_reply(res, 201,
               {{"id", issue["id"]},
                {"key", issue["key"]},
                {"self", "/rest/api/3/issue/" + issue["key"].get<std::string>()}});
  });
  http.Get(R"(/rest/api/3/issue/([^/]+))", [&db, injected, jira_auth](const httplib::Request& req,
                                                                      httplib::Response& res) {
    if (injected(req, res)) return;
    if (!jira_auth(req)) return work_reply(res, 401, jira_error("Unauthorized"));
    std::optional<Record> rec;
    auto r = db.run([&](RecordTx& tx) { rec = tx.get("jira", "issue", req.matches[1]); });
    if (!r) return work_reply(res, 500, jira_error(r.error().message));
    if (!rec)
      return work_reply(
          res, 404, jira_error("Issue does not exist or you do not have permission to see it."));
    work_reply(res, 200, rec->body);
  });
  http.Get(R"(/api/1\.0/tasks/([^/]+))",
           [&db, injected, asana_auth](const httplib::Request& req, httplib::Response& res) {
             if (injected(req, res)) return;
             if (!asana_auth(req)) return work_reply(res, 401, asana_error("Not Authorized"));
             std::string id = req.matches[1];
             std::optional<Record> rec;
             auto r = db.run([&](RecordTx& tx) {
               if (id.rfind("external:", 0) == 0)
                 rec = tx.by_external_id("asana", "task", id.substr(9));
               else
                 rec = tx.get("asana", "task", id);
             });
             if (!r) return work_reply(res, 500, asana_error(r.error().message));
             if (!rec) return work_reply(res, 404, asana_error("Unknown object: " + id));
             work_reply(res, 200, {{"data", rec->body}});
           });
  http.Post("/api/1.0/tasks", [&db, injected, drop, asana_auth](const httplib::Request& req,
                                                                httplib::Response& res) {
    if (injected(req, res)) return;
    if (!asana_auth(req)) return work_reply(res, 401, asana_error("Not Authorized"));
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("data") || !body["data"].is_object())
      return work_reply(res, 400, asana_error("data: Missing input"));
    json d = body["data"];
    if (!d.contains("name") || !d["name"].is_string() || d["name"].get<std::string>().empty())
      return work_reply(res, 400, asana_error("name: Missing input"));
    std::string external =
        d.contains("external") && d["external"].is_object() ? d["external"].value("gid", "") : "";
    json task;
    bool taken = false;
    auto r = db.run([&](RecordTx& tx) {
      if (!external.empty() && tx.by_external_id("asana", "task", external)) {
        taken = true;  // Asana refuses a second object with the same external gid
        return;
      }
      std::string gid = std::to_string(1200000000000000LL + tx.next("asana_task"));
      task = d;
      task["gid"] = gid;
      task["completed"] = false;
      task["completed_at"] = nullptr;
      tx.put({"asana", "task", gid, external, task, 0});
    });
    if (!r) return work_reply(res, 500, asana_error(r.error().message));
    if (taken)
      return work_reply(res, 400, asana_error("external.gid: already in use by another object"));
    if (drop(req)) return work_drop(res);
    work_reply(res, 201, {{"data", task}});
  });
  http.Post("/_sandbox/worktools/complete", [&db](const httplib::Request& req,
                                                  httplib::Response& res) {
    json j = json::parse(req.body, nullptr, false);
    if (!j.is_object() || !j.contains("system") || !j.contains("id") || !j["id"].is_string())
      return work_reply(res, 400, {{"error", "give {system: jira|asana, id, at?}"}});
    std::string system = j.value("system", ""), id = j["id"].get<std::string>();
    std::string at = j.value("at", "2027-01-15T08:00:00Z");
    bool found = false;
    auto r = db.run([&](RecordTx& tx) {
      const char* kind = system == "jira" ? "issue" : "task";
      auto rec = tx.get(system, kind, id);
      if (!rec) return;
      found = true;
      if (system == "jira") {
        rec->body["fields"]["status"] = {{"name", "Done"}, {"statusCategory", {{"key", "done"}}}};
        rec->body["fields"]["resolutiondate"] = at;
      } else {
        rec->body["completed"] = true;
        rec->body["completed_at"] = at;
      }
      tx.put(*rec);
    });
    if (!r) return work_reply(res, 500, {{"error", r.error().message}});
    if (!found) return work_reply(res, 404, {{"error", "no " + system + " task " + id}});
    work_reply(res, 200, {{"completed", id}});
  });
}

}  // namespace covenant::sandbox
