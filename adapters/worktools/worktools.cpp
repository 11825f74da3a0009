#include "adapters/worktools/worktools.hpp"

#include "adapters/http/input.hpp"
#include "workflows/sha256.hpp"

namespace covenant::adapters::worktools {

namespace {

using http::Error;
using http::Failure;

// Jira says {"errorMessages": [...], "errors": {field: message}}; Asana {"errors": [{message}]}.
Error classify(const http::Client& client, const http::Response& r) {
  Error e = client.classify_default(r);
  auto j = http::parse_answer(r.body);
  std::string said;
  if (j.is_object() && j.contains("errorMessages") && j["errorMessages"].is_array() &&
      !j["errorMessages"].empty() && j["errorMessages"][0].is_string())
    said = j["errorMessages"][0].get<std::string>();
  if (said.empty() && j.is_object() && j.contains("errors")) {
    const json& errs = j["errors"];
    if (errs.is_array() && !errs.empty() && errs[0].is_object())
      said = errs[0].value("message", "");
    else if (errs.is_object() && !errs.empty() && errs.begin()->is_string())
      said = errs.begin().key() + ": " + errs.begin()->get<std::string>();
  }
  if (!said.empty()) e.message = client.options().system + ": " + said;
  return e;
}

// A GET is repeated by the client on a transient failure; a POST here creates something the
// system cannot recognise again, so it is sent once (the caller looks before it sends again).
http::Result<json> call(http::Client& client, const std::string& method, const std::string& path,
                        const json& body = nullptr) {
  http::Request r;
  r.method = method;
  r.path = path;
  r.repeatable = method == "GET";
  if (!body.is_null()) {
    r.body = body.dump();
    r.content_type = "application/json";
  }
  auto res =
      client.send(r, [&client](const http::Response& resp) { return classify(client, resp); });
  if (!res) return tl::unexpected(res.error());
  auto j = http::parse_answer(res->body);
  if (!j.is_object())
    return tl::unexpected(Error{Failure::Transient,
                                client.options().system + ": an answer that is not a JSON object",
                                res->status, ""});
  return j;
}

using http::id_field;

http::Result<std::string> due_date(const json& in, const std::string& system) {
  return http::date_field(in, "due_date", system);
}

json jira_view(const json& issue) {
  const json& f =
      issue.contains("fields") && issue["fields"].is_object() ? issue["fields"] : json::object();
  const json& status =
      f.contains("status") && f["status"].is_object() ? f["status"] : json::object();
  std::string category = status.contains("statusCategory") && status["statusCategory"].is_object()
                             ? status["statusCategory"].value("key", "")
                             : "";
  return {{"system", "jira"},
          {"id", issue.at("key").get<std::string>()},
          {"status", status.value("name", "")},
          {"done", category == "done"},
          {"completed_at", f.value("resolutiondate", json())}};
}

json asana_view(const json& task) {
  return {{"system", "asana"},
          {"id", task.at("gid").get<std::string>()},
          {"status", task.value("completed", false) ? "completed" : "open"},
          {"done", task.value("completed", false)},
          {"completed_at", task.value("completed_at", json())}};
}

}  // namespace

std::string jira_label(const std::string& key) {
  return "covenant-" + workflows::sha256_hex(key).substr(0, 24);
}

http::Result<json> Jira::create_task(const json& in, const std::string& key) {
  const std::string system = "jira";
  auto project = id_field(in, "project", system);
  if (!project) return tl::unexpected(project.error());
  auto title = http::text_field(in, "title", system);
  if (!title) return tl::unexpected(title.error());
  if (title->size() > 255)
    return tl::unexpected(http::bad_input(system, "'title' is at most 255 characters"));
  auto due = due_date(in, system);
  if (!due) return tl::unexpected(due.error());
  std::string label = jira_label(key);
  auto found = call(*http_, "GET",
                    "/rest/api/3/search/jql?jql=" + http::url_encode("labels = \"" + label + "\"") +
                        "&fields=status,resolutiondate&maxResults=2");
  if (!found) return found;
  if (found->contains("issues") && (*found)["issues"].is_array() && !(*found)["issues"].empty()) {
    json v = jira_view((*found)["issues"][0]);
    v["created"] = false;
    return v;
  }
  std::string text = in.value("description", "");
  json fields = {
      {"project", {{"key", *project}}},
      {"summary", *title},
      {"issuetype", {{"name", in.value("issue_type", "Task")}}},
      {"labels", json::array({label})},
      {"description",
       {{"type", "doc"},
        {"version", 1},
        {"content",
         json::array({{{"type", "paragraph"},
                       {"content", json::array({{{"type", "text"},
                                                 {"text", text.empty() ? *title : text}}})}}})}}}};
  if (!due->empty()) fields["duedate"] = *due;
  auto made = call(*http_, "POST", "/rest/api/3/issue", {{"fields", fields}});
  if (!made) return made;
  return json{{"system", "jira"},        {"id", made->at("key").get<std::string>()},
              {"status", "To Do"},       {"done", false},
              {"completed_at", nullptr}, {"created", true}};
}

http::Result<json> Jira::get_task(const json& in) {
  auto id = id_field(in, "task", "jira");
  if (!id) return tl::unexpected(id.error());
  auto issue = call(*http_, "GET", "/rest/api/3/issue/" + *id + "?fields=status,resolutiondate");
  if (!issue) return issue;
  return jira_view(*issue);
}

http::Result<json> Asana::create_task(const json& in, const std::string& key) {
  const std::string system = "asana";
  auto project = id_field(in, "project", system);
  if (!project) return tl::unexpected(project.error());
  auto title = http::text_field(in, "title", system);
  if (!title) return tl::unexpected(title.error());
  auto due = due_date(in, system);
  if (!due) return tl::unexpected(due.error());
  // The key names the step; Asana's external gid is at most 1,024 characters.
  std::string external = "covenant-" + workflows::sha256_hex(key).substr(0, 32);
  auto found = call(*http_, "GET", "/api/1.0/tasks/external:" + external);
  if (found && found->contains("data") && (*found)["data"].is_object()) {
    json v = asana_view((*found)["data"]);
    v["created"] = false;
    return v;
  }
  if (!found && found.error().status != 404) return found;
  json data = {{"name", *title},
               {"notes", in.value("description", "")},
               {"projects", json::array({*project})},
               {"external", {{"gid", external}, {"data", key}}}};
  if (!due->empty()) data["due_on"] = *due;
  auto made = call(*http_, "POST", "/api/1.0/tasks", {{"data", data}});
  if (!made) return made;
  if (!made->contains("data") || !(*made)["data"].is_object())
    return tl::unexpected(Error{Failure::Transient, "asana: an answer without 'data'", 0, ""});
  json v = asana_view((*made)["data"]);
  v["created"] = true;
  return v;
}

http::Result<json> Asana::get_task(const json& in) {
  auto id = id_field(in, "task", "asana");
  if (!id) return tl::unexpected(id.error());
  auto task = call(*http_, "GET", "/api/1.0/tasks/" + *id);
  if (!task) return task;
  if (!task->contains("data") || !(*task)["data"].is_object())
    return tl::unexpected(Error{Failure::Transient, "asana: an answer without 'data'", 0, ""});
  return asana_view((*task)["data"]);
}

}  // namespace covenant::adapters::worktools
