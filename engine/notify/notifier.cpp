#include "engine/notify/notifier.hpp"

#include "engine/log.hpp"
#include "engine/notify/slack_message.hpp"
#include "engine/time_format.hpp"
#include "workflows/sha256.hpp"

#include <algorithm>

namespace covenant::engine::notify {

using nlohmann::json;

bool Endpoint::wants(const std::string& topic) const {
  return topics.empty() || std::find(topics.begin(), topics.end(), topic) != topics.end();
}

std::vector<std::string> Endpoint::secrets_at(std::int64_t now_s) const {
  std::vector<std::string> out;
  if (!secret.empty()) out.push_back(secret);
  if (!previous_secret.empty() && now_s < previous_until_s) out.push_back(previous_secret);
  return out;
}

std::string secret_key_id(const std::string& secret) {
  return "whsec-" + workflows::sha256_hex("covenant webhook key id\n" + secret).substr(0, 24);
}

Result<int> record_keys(store::Store& store, const std::vector<Endpoint>& endpoints,
                        std::int64_t now_us, const std::string& actor) {
  int changed = 0;
  for (const auto& e : endpoints) {
    if (e.secret.empty()) continue;  // unsigned
    auto keys = store.keys.of(e.ns, store::kWebhookKey, e.name);
    if (!keys) return tl::unexpected(keys.error());
    std::int64_t until = now_us;
    for (const auto& k : *keys)
      if (k.current() && !e.previous_secret.empty() && k.key_id == secret_key_id(e.previous_secret))
        until = std::max(now_us, e.previous_until_s * 1'000'000);
    auto r = store.keys.rotate(e.ns, store::kWebhookKey, e.name, secret_key_id(e.secret), "",
                               now_us, now_us, until, actor);
    if (!r && r.error().code == ErrorCode::Conflict)  // another process recorded it at once
      r = store.keys.rotate(e.ns, store::kWebhookKey, e.name, secret_key_id(e.secret), "", now_us,
                            now_us, until, actor);
    if (!r) return tl::unexpected(r.error());
    if (r->changed) ++changed;
  }
  return changed;
}

Notifier::Notifier(store::Store& store, approvals::ApprovalDesk& desk, Sender& sender,
                   std::vector<Endpoint> endpoints, const Clock& clock, NotifierOptions opts,
                   Metrics* metrics)
    : store_(store),
      desk_(desk),
      sender_(sender),
      endpoints_(std::move(endpoints)),
      clock_(clock),
      opts_(std::move(opts)),
      metrics_(metrics) {}

Result<std::optional<json>> Notifier::body_for(const store::OutboxRow& row, const Endpoint& to) {
  json body = row.payload;
  bool asks = row.topic == "approval.requested" || row.topic == "approval.reminder" ||
              row.topic == "approval.escalated";
  if (!asks || row.approval_id.empty()) return body;
  if (!store::valid_namespace(row.ns))  // a damaged row: reported, the notifier goes on
    return fail(ErrorCode::Corrupted,
                "webhook " + std::to_string(row.id) + " names no namespace ('" + row.ns + "')");
  auto a = store_.approvals.get(store::Scope::of(row.ns), row.approval_id);
  if (!a) return tl::unexpected(a.error());
  json callbacks = json::array();
  bool theirs = false;  // `to` belongs to someone who may decide
  if (*a && (*a)->status == "open") {
    auto people = desk_.recipients(**a);
    if (!people) return tl::unexpected(people.error());
    std::int64_t now = to_micros(clock_.now());
    std::int64_t expires =
        (*a)->deadline_us ? (*a)->deadline_us : now + opts_.token_ttl.count() * 1'000'000;
    for (const auto& p : *people) {
      json cb = {{"approver", p.principal},
                 {"on_behalf_of", p.on_behalf_of},
                 {"callback_url", opts_.public_url + "/v1/approvals/" + (*a)->id + "/decisions"},
                 {"approval_url", opts_.public_url + "/v1/approvals/" + (*a)->id},
                 {"inbox_url", opts_.public_url + "/ui/inbox.html"}};
      if (!to.principal.empty() && p.principal != to.principal) continue;  // not theirs to see
      if (p.principal == to.principal) {
        theirs = true;
        auto token = desk_.issue_token((*a)->ns, (*a)->id, p, expires);
        if (!token) return tl::unexpected(token.error());
        cb["token"] = *token;
        cb["expires_at"] = format_rfc3339(from_micros(expires));
      }
      callbacks.push_back(std::move(cb));
    }
    body["data"]["approval"] = {{"id", (*a)->id},
                                {"digest", (*a)->digest},
                                {"subject", (*a)->subject},
                                {"summary", (*a)->summary},
                                {"status", (*a)->status}};
  }
  if (!to.principal.empty() && !theirs) return std::optional<json>{};
  body["data"]["callbacks"] = callbacks;
  return body;
}

Result<int> Notifier::run_due() {
  std::int64_t now = to_micros(clock_.now());
  auto rows = store_.outbox.claim(now, 60'000'000, opts_.batch);
  if (!rows) return tl::unexpected(rows.error());
  for (auto& row : *rows) {
    std::vector<const Endpoint*> todo;
    std::string error;
    if (!store::valid_namespace(row.ns))  // a damaged row: reported on it, sent nowhere
      error = "webhook " + std::to_string(row.id) + " names no namespace ('" + row.ns + "')";
    for (const auto& e : endpoints_)
      if (error.empty() && e.ns == row.ns && e.wants(row.topic) &&
          std::find(row.delivered_to.begin(), row.delivered_to.end(), e.name) ==
              row.delivered_to.end())
        todo.push_back(&e);
    for (const auto* e : todo) {
      auto body = body_for(row, *e);
      if (!body) {
        error += (error.empty() ? "" : "; ") + e->name + ": " + body.error().message;
        continue;
      }
      if (!*body) {  // nothing for this principal's channel
        row.delivered_to.push_back(e->name);
        continue;
      }
      std::string text =
          e->format == "slack"
              ? slack_message(**body).dump(-1, ' ', false, json::error_handler_t::replace)
              : (*body)->dump(-1, ' ', false, json::error_handler_t::replace);
      auto sent = sender_.send(*e, row.payload.value("id", ""), text, now / 1'000'000);
      if (metrics_) metrics_->webhook(sent.has_value());
      if (sent)
        row.delivered_to.push_back(e->name);
      else
        error += (error.empty() ? "" : "; ") + e->name + ": " + sent.error().message;
    }
    row.attempts++;
    row.last_error = error;
    if (error.empty()) {
      row.status = "delivered";
      row.done_us = now;
    } else if (row.attempts >= opts_.max_attempts) {
      row.status = "failed";
      row.done_us = now;
      log::error(
          "notifier",
          "giving up on webhook after " + std::to_string(row.attempts) + " attempts: " + error,
          {{"webhook", std::to_string(row.id)},
           {"topic", row.topic},
           {"instance", row.instance_id},
           {"approval", row.approval_id}});
    } else {
      std::int64_t delay = opts_.first_retry.count() * 1'000'000LL << std::min(row.attempts - 1, 9);
      row.next_us = now + std::min<std::int64_t>(delay, 3600'000'000LL);
    }
    if (auto u = store_.outbox.update(row); !u) return tl::unexpected(u.error());
  }
  return static_cast<int>(rows->size());
}

}  // namespace covenant::engine::notify
