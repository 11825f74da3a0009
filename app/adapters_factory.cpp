#include "app/adapters_factory.hpp"

#include "activities/extract/model.hpp"
#include "adapters/billing/stripe.hpp"
#include "adapters/calendar/calendar.hpp"
#include "adapters/clm/clm.hpp"
#include "adapters/crm/salesforce.hpp"
#include "adapters/erp/netsuite.hpp"
#include "adapters/notifier/slack.hpp"
#include "adapters/notifier/teams.hpp"
#include "adapters/ticketing/ticketing.hpp"
#include "app/document_bridge.hpp"
#include "engine/time_format.hpp"

#include <thread>

namespace covenant::app {

namespace {

adapters::http::Hooks hooks(const engine::Clock& clock, engine::IdSource& ids) {
  adapters::http::Hooks h;
  h.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  h.random = [&ids] {
    // 52 random bits from the id source's CSPRNG, as a fraction of 1.
    return static_cast<double>(std::stoull(ids.token().substr(0, 13), nullptr, 16)) /
           4503599627370496.0;
  };
  h.now_ms = [&clock] { return engine::to_micros(clock.now()) / 1000; };
  return h;
}

adapters::http::Options options(const AdapterConfig& a) {
  adapters::http::Options o;
  o.system = a.system;
  o.base_url = a.base_url;
  o.timeout = a.timeout;
  o.rate_per_second = a.rate_per_second;
  o.max_attempts = a.max_attempts;
  if (a.system == "salesforce" || a.system == "netsuite") {
    o.auth.kind = adapters::http::Auth::Kind::OAuth2;
    o.auth.token_path =
        a.system == "salesforce" ? "/services/oauth2/token" : "/services/rest/auth/oauth2/v1/token";
    o.auth.client_id = a.client_id;
    o.auth.client_secret = a.secret;
  } else if (a.system == "zendesk") {
    o.auth.kind = adapters::http::Auth::Kind::Basic;
    o.auth.user = a.user + "/token";
    o.auth.password = a.secret;
  } else if (a.system == "jira" || a.system == "caldav" || a.system == "servicenow") {
    o.auth.kind = adapters::http::Auth::Kind::Basic;  // the account's e-mail : API token
    o.auth.user = a.user;
    o.auth.password = a.secret;
  } else if (a.system == "slack" || a.system == "teams") {
    o.auth.kind = adapters::http::Auth::Kind::None;
    if (auto parts = adapters::notifier::split_url(a.secret)) o.base_url = parts->first;
  } else {
    o.auth.kind = adapters::http::Auth::Kind::Bearer;
    o.auth.token = a.secret;
  }
  return o;
}

}  // namespace

activities::Systems make_systems(const std::map<std::string, AdapterConfig>& adapters,
                                 const engine::Clock& clock, engine::IdSource& ids) {
  activities::Systems out;
  auto client = [&](const AdapterConfig& a) {
    return std::make_shared<adapters::http::Client>(options(a), hooks(clock, ids));
  };
  if (auto it = adapters.find("billing"); it != adapters.end())
    out.billing = std::make_shared<adapters::billing::Stripe>(client(it->second));
  if (auto it = adapters.find("crm"); it != adapters.end())
    out.crm = std::make_shared<adapters::crm::Salesforce>(client(it->second));
  if (auto it = adapters.find("erp"); it != adapters.end())
    out.erp = std::make_shared<adapters::erp::NetSuite>(client(it->second));
  if (auto it = adapters.find("ticketing"); it != adapters.end())
    out.ticketing = it->second.system == "servicenow"
                        ? std::shared_ptr<adapters::ticketing::Ticketing>(
                              std::make_shared<adapters::ticketing::ServiceNow>(client(it->second)))
                        : std::make_shared<adapters::ticketing::Zendesk>(client(it->second));
  if (auto it = adapters.find("notifier"); it != adapters.end())
    if (auto parts = adapters::notifier::split_url(it->second.secret))
      out.slack = std::make_shared<adapters::notifier::Slack>(client(it->second), parts->second);
  if (auto it = adapters.find("teams"); it != adapters.end())
    if (auto parts = adapters::notifier::split_url(it->second.secret))
      out.teams = std::make_shared<adapters::notifier::Teams>(client(it->second), parts->second);
  if (auto it = adapters.find("cpq"); it != adapters.end())
    out.cpq = std::make_shared<adapters::crm::Salesforce>(client(it->second));
  if (auto it = adapters.find("jira"); it != adapters.end())
    out.jira = std::make_shared<adapters::worktools::Jira>(client(it->second));
  if (auto it = adapters.find("asana"); it != adapters.end())
    out.asana = std::make_shared<adapters::worktools::Asana>(client(it->second));
  if (auto it = adapters.find("calendar"); it != adapters.end())
    out.calendar =
        std::make_shared<adapters::calendar::CalDav>(client(it->second), it->second.user);
  if (auto it = adapters.find("esignature"); it != adapters.end())
    out.clm["docusign"] = std::make_shared<adapters::clm::DocuSign>(client(it->second));
  if (auto it = adapters.find("clm"); it != adapters.end())
    out.clm["ironclad"] = std::make_shared<adapters::clm::Ironclad>(client(it->second));
  return out;
}

activities::Systems make_activity_systems(const ServeConfig& cfg, Engine& engine) {
  auto out = make_systems(cfg.adapters, engine.clock, engine.ids);
  out.documents = std::make_shared<DocumentBridge>(*engine.store, engine.clock);
  out.documents_root = cfg.documents_root;
  out.usage = std::make_shared<UsageBridge>(*engine.store);
  out.book = std::make_shared<BookBridge>(*engine.store, engine.clock);
  if (cfg.extraction.mode != "rules") {
    auto client = std::make_shared<adapters::http::Client>(options(cfg.extraction.endpoint),
                                                           hooks(engine.clock, engine.ids));
    auto model =
        std::make_shared<activities::extract::ModelExtractor>(client, cfg.extraction.model);
    if (cfg.extraction.mode == "model")
      out.extractor = model;
    else
      out.extractor = std::make_shared<activities::extract::VotingExtractor>(
          std::make_shared<activities::extract::RuleExtractor>(), model);
  }
  const engine::Clock& clock = engine.clock;
  out.today = [&clock] { return engine::to_micros(clock.now()) / (86'400LL * 1'000'000); };
  return out;
}

}  // namespace covenant::app
