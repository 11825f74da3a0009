#include "engine/notify/slack_message.hpp"

#include "workflows/money.hpp"

namespace covenant::engine::notify {

using nlohmann::json;

namespace {

// Slack's mrkdwn gives &, < and > meaning; everything a person or a contract wrote is escaped.
std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

std::string clip(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  s.resize(max - 3);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
  if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
  return s + "...";
}

std::string plain(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "missing";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A summary value as text, by its type (docs/approvals.md, "Summaries").
std::string shown(const std::string& type, const json& v) {
  if (v.is_null()) return "missing";
  if (type == "money" && v.is_object() && v.contains("amount_minor") &&
      v["amount_minor"].is_number_integer() && v.contains("currency") && v["currency"].is_string())
    return money::format(v["amount_minor"].get<std::int64_t>(), v["currency"].get<std::string>());
  if (type == "percent") return plain(v) + " %";
  return plain(v);
}

json text_block(const std::string& mrkdwn) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", clip(mrkdwn, 3000)}}}};
}

}  // namespace

json slack_message(const json& body) {
  const std::string type = body.value("type", "");
  const json& data = body.contains("data") ? body["data"] : json::object();
  std::string contract = data.value("business_key", "");
  std::string where =
      data.value("workflow", "") + (contract.empty() ? "" : " · contract " + contract);
  const json& approval =
      data.contains("approval") && data["approval"].is_object() ? data["approval"] : json();
  if (approval.is_null()) {
    const json& p = data.contains("payload") ? data["payload"] : json::object();
    std::string why = p.is_object() ? p.value("message", p.value("error", "")) : "";
    std::string line =
        type + ": " + where + ", at " + data.value("state", "") + (why.empty() ? "" : " — " + why);
    return {{"text", clip(line, 3000)}};
  }
  const json& s = approval.contains("summary") && approval["summary"].is_object()
                      ? approval["summary"]
                      : json::object();
  std::string title = s.value("title", "");
  if (title.empty())
    title = (contract.empty() ? data.value("instance_id", "") : contract) + ": " +
            data.value("state", "");
  std::string ask = type == "approval.reminder"    ? "Reminder: your decision is due"
                    : type == "approval.escalated" ? "Escalated to you"
                                                   : "Your approval is requested";
  json blocks = json::array();
  blocks.push_back(
      {{"type", "header"},
       {"text", {{"type", "plain_text"}, {"text", clip(title, 150)}, {"emoji", false}}}});
  blocks.push_back(text_block(ask + " · " + esc(where)));
  json fields = json::array();
  for (const auto& f : s.value("figures", json::array())) {
    if (fields.size() == 10) break;  // Slack takes ten fields in a section
    std::string value = shown(f.value("type", ""), f.value("value", json()));
    if (f.contains("detail") && f["detail"].is_string())
      value += " (" + f["detail"].get<std::string>() + ")";
    fields.push_back({{"type", "mrkdwn"},
                      {"text", clip("*" + esc(f.value("label", "")) + "*\n" + esc(value), 2000)}});
  }
  if (!fields.empty()) blocks.push_back({{"type", "section"}, {"fields", fields}});
  std::string checks;
  int matching = 0;
  for (const auto& c : s.value("comparisons", json::array())) {
    if (c.value("matches", json()) == true) {
      ++matching;
      continue;
    }
    std::string t = c.value("type", "");
    checks += ":warning: *" + esc(c.value("label", "")) +
              "*: " + esc(shown(t, c.value("value", json()))) + " against " +
              esc(shown(t, c.value("against", json()))) + " (" + esc(c.value("against_label", "")) +
              ")\n";
  }
  if (matching) checks += ":white_check_mark: " + std::to_string(matching) + " check(s) match\n";
  if (!checks.empty()) blocks.push_back(text_block(checks));
  std::string writes;
  for (const auto& w : s.value("writes", json::array()))
    writes += (writes.empty() ? "" : ", ") + esc(w.value("activity", "")) +
              (w.contains("amount") ? " " + esc(shown("money", w["amount"])) : "");
  if (!writes.empty()) blocks.push_back(text_block("Approving writes: " + writes));
  // The approver's own link when this channel is theirs: the token rides in the fragment.
  std::string id = approval.value("id", "");
  std::string url;
  for (const auto& cb : data.value("callbacks", json::array())) {
    std::string inbox = cb.value("inbox_url", "");
    if (inbox.empty()) continue;
    url = inbox + "?approval=" + id;
    if (cb.contains("token") && cb["token"].is_string()) {
      url += "#token=" + cb["token"].get<std::string>();
      break;
    }
  }
  std::string context = "digest " + approval.value("digest", "").substr(0, 12) + "…";
  const json& p =
      data.contains("payload") && data["payload"].is_object() ? data["payload"] : json();
  if (p.is_object() && p.contains("deadline") && p["deadline"].is_string())
    context = "decide by " + p["deadline"].get<std::string>() + " · " + context;
  json note = {{"type", "mrkdwn"}, {"text", esc(context)}};
  blocks.push_back({{"type", "context"}, {"elements", json::array({note})}});
  if (!url.empty()) {
    json button = {{"type", "button"},
                   {"text", {{"type", "plain_text"}, {"text", "Open the decision page"}}},
                   {"url", url},
                   {"style", "primary"},
                   {"action_id", "open_decision"}};
    blocks.push_back({{"type", "actions"}, {"elements", json::array({button})}});
  }
  return {{"text", clip(ask + ": " + title, 3000)}, {"blocks", blocks}};
}

}  // namespace covenant::engine::notify
