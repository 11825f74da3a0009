#include "app/config.hpp"

#include "adapters/calendar/calendar.hpp"
#include "engine/store/scope.hpp"
#include "engine/time_format.hpp"
#include "workflows/duration.hpp"
#include "workflows/yaml_bounds.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace covenant::app {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

engine::Error bad(const std::string& file, const YAML::Node& at, const std::string& why) {
  auto m = at.Mark();
  std::string where = file;
  if (!m.is_null()) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  return {engine::ErrorCode::InvalidArgument, where + ": " + why, file};
}

engine::Result<void> known(const std::string& file, const YAML::Node& map,
                           const std::set<std::string>& keys, const std::string& what) {
  if (!map.IsMap()) return tl::unexpected(bad(file, map, what + " must be a mapping"));
  for (const auto& kv : map) {
    auto k = kv.first.as<std::string>();
    if (k == "secret" || k == "password")
      return tl::unexpected(bad(file, kv.first,
                                "secrets do not belong in the config file: name an environment "
                                "variable (secret_env) or a file (secret_file)"));
    if (!keys.count(k))
      return tl::unexpected(bad(file, kv.first, "unknown key '" + k + "' in " + what));
  }
  return {};
}

engine::Result<std::string> read_secret(const std::string& file, const YAML::Node& hook,
                                        const std::string& name);

// identity: { oidc: [ {issuer, audience, jwks_file, subject_claim, roles_claim, role_map,
// leeway, namespace | namespace_claim with namespaces} ] } — each key set is read and checked now,
// so a server never starts unable to verify.
engine::Result<void> read_identity(const std::string& file, const YAML::Node& node,
                                   ServeConfig& c) {
  if (auto k = known(file, node, {"oidc"}, "identity"); !k) return k;
  auto list = node["oidc"];
  if (!list) return {};
  if (!list.IsSequence()) return tl::unexpected(bad(file, list, "identity.oidc must be a list"));
  for (const auto& o : list) {
    if (auto k =
            known(file, o,
                  {"issuer", "audience", "jwks_file", "jwks_url", "subject_claim", "roles_claim",
                   "role_map", "leeway", "namespace", "namespace_claim", "namespaces"},
                  "an identity provider");
        !k)
      return k;
    if (!o["issuer"] || !o["audience"] || (!o["jwks_file"] == !o["jwks_url"]))
      return tl::unexpected(bad(file, o,
                                "an identity provider needs an issuer, an audience and one of "
                                "jwks_file or jwks_url"));
    OidcConfig p;
    p.issuer.issuer = o["issuer"].as<std::string>();
    p.issuer.audience = o["audience"].as<std::string>();
    if (p.issuer.issuer.empty() || p.issuer.audience.empty())
      return tl::unexpected(bad(file, o, "the issuer and the audience may not be empty"));
    if (o["subject_claim"]) p.issuer.subject_claim = o["subject_claim"].as<std::string>();
    if (o["roles_claim"]) p.issuer.roles_claim = o["roles_claim"].as<std::string>();
    if (auto m = o["role_map"]) {
      if (!m.IsMap()) return tl::unexpected(bad(file, m, "role_map maps a claim value to roles"));
      for (const auto& kv : m)
        p.issuer.role_map[kv.first.as<std::string>()] =
            kv.second.IsSequence() ? kv.second.as<std::vector<std::string>>()
                                   : std::vector<std::string>{kv.second.as<std::string>()};
    }
    if (o["namespace"] && o["namespace_claim"])
      return tl::unexpected(bad(file, o,
                                "an identity provider's principals act in one namespace "
                                "('namespace') or in the one a claim names ('namespace_claim'), "
                                "not both"));
    if (o["namespace"]) {
      p.issuer.ns = o["namespace"].as<std::string>();
      if (!engine::store::valid_namespace(p.issuer.ns))
        return tl::unexpected(
            bad(file, o["namespace"],
                "a namespace is 1 to 63 of a-z, 0-9 and '-', not '" + p.issuer.ns + "'"));
    }
    if (o["namespace_claim"]) {
      p.issuer.namespace_claim = o["namespace_claim"].as<std::string>();
      auto list = o["namespaces"];
      if (p.issuer.namespace_claim.empty() || !list || !list.IsSequence() || list.size() == 0)
        return tl::unexpected(bad(file, o,
                                  "namespace_claim needs 'namespaces': the namespaces this "
                                  "identity provider may speak for"));
      for (const auto& n : list) {
        auto name = n.as<std::string>();
        if (!engine::store::valid_namespace(name))
          return tl::unexpected(
              bad(file, n, "a namespace is 1 to 63 of a-z, 0-9 and '-', not '" + name + "'"));
        p.issuer.namespaces.push_back(name);
      }
    } else if (o["namespaces"]) {
      return tl::unexpected(bad(file, o["namespaces"], "'namespaces' goes with namespace_claim"));
    }
    if (o["leeway"]) {
      auto d = workflows::parse_duration(o["leeway"].as<std::string>());
      if (!d.seconds || *d.seconds > 600)
        return tl::unexpected(
            bad(file, o["leeway"], d.seconds ? "leeway is at most 10m" : d.error));
      p.issuer.leeway_s = *d.seconds;
    }
    if (o["jwks_url"]) {
      p.jwks_url = o["jwks_url"].as<std::string>();
      if (p.jwks_url.rfind("https://", 0) != 0 && p.jwks_url.rfind("http://", 0) != 0)
        return tl::unexpected(bad(file, o["jwks_url"], "jwks_url must be http:// or https://"));
      c.oidc.push_back(std::move(p));
      continue;
    }
    p.jwks_file = o["jwks_file"].as<std::string>();
    std::ifstream in(p.jwks_file, std::ios::binary);
    if (!in)
      return tl::unexpected(bad(file, o["jwks_file"], "cannot read the key set " + p.jwks_file));
    std::stringstream keys;
    keys << in.rdbuf();
    auto parsed = engine::auth::parse_jwks(keys.str());
    if (!parsed)
      return tl::unexpected(bad(file, o["jwks_file"], p.jwks_file + ": " + parsed.error().message));
    p.keys = std::move(*parsed);
    c.oidc.push_back(std::move(p));
  }
  return {};
}

engine::Result<void> read_adapters(const std::string& file, const YAML::Node& node,
                                   ServeConfig& c) {
  static const std::map<std::string, std::vector<std::string>> systems = {
      {"billing", {"stripe"}},
      {"crm", {"salesforce"}},
      {"cpq", {"salesforce"}},
      {"erp", {"netsuite"}},
      {"ticketing", {"zendesk", "servicenow"}},
      {"notifier", {"slack"}},
      {"teams", {"teams"}},
      {"esignature", {"docusign"}},
      {"clm", {"ironclad"}},
      {"jira", {"jira"}},
      {"asana", {"asana"}},
      {"calendar", {"caldav"}}};
  if (auto k = known(file, node,
                     {"billing", "crm", "cpq", "erp", "ticketing", "notifier", "teams",
                      "esignature", "clm", "jira", "asana", "calendar"},
                     "adapters");
      !k)
    return k;
  for (const auto& kv : node) {
    std::string capability = kv.first.as<std::string>();
    const YAML::Node& a = kv.second;
    if (auto k = known(file, a,
                       {"system", "base_url", "secret_env", "secret_file", "timeout",
                        "rate_per_second", "max_attempts", "client_id", "user"},
                       "adapters." + capability);
        !k)
      return k;
    AdapterConfig ac;
    if (!a["system"])
      return tl::unexpected(bad(file, a, "adapters." + capability + " needs a system"));
    ac.system = a["system"].as<std::string>();
    // A Slack webhook URL is itself the secret: it comes from secret_env or secret_file.
    if (!a["base_url"] && ac.system != "slack" && ac.system != "teams")
      return tl::unexpected(bad(file, a, "adapters." + capability + " needs a base_url"));
    const auto& allowed = systems.at(capability);
    if (std::find(allowed.begin(), allowed.end(), ac.system) == allowed.end())
      return tl::unexpected(
          bad(file, a["system"], "no " + capability + " adapter named '" + ac.system + "'"));
    ac.base_url = a["base_url"] ? a["base_url"].as<std::string>() : "https://hooks.slack.com";
    if (ac.base_url.rfind("http://", 0) != 0 && ac.base_url.rfind("https://", 0) != 0)
      return tl::unexpected(bad(file, a["base_url"], "the base_url must be http:// or https://"));
    auto secret = read_secret(file, a, "adapters." + capability);
    if (!secret) return tl::unexpected(secret.error());
    ac.secret = *secret;
    if (a["timeout"]) {
      auto d = workflows::parse_duration(a["timeout"].as<std::string>());
      if (!d.seconds) return tl::unexpected(bad(file, a["timeout"], d.error));
      ac.timeout = std::chrono::seconds(*d.seconds);
    }
    if (a["rate_per_second"]) ac.rate_per_second = a["rate_per_second"].as<double>();
    if (a["client_id"]) ac.client_id = a["client_id"].as<std::string>();
    if (a["user"]) ac.user = a["user"].as<std::string>();
    if (ac.system == "zendesk" && ac.user.empty())
      return tl::unexpected(
          bad(file, a, "adapters." + capability + ": Zendesk needs the agent's e-mail as user"));
    if (ac.system == "servicenow" && ac.user.empty())
      return tl::unexpected(bad(
          file, a, "adapters." + capability + ": ServiceNow needs the integration user as user"));
    if (ac.system == "jira" && ac.user.empty())
      return tl::unexpected(
          bad(file, a, "adapters." + capability + ": Jira needs the account's e-mail as user"));
    if (ac.system == "caldav" && ac.user.empty())
      return tl::unexpected(
          bad(file, a, "adapters." + capability + ": CalDAV needs the organizer's e-mail as user"));
    if (ac.system == "caldav" && !adapters::calendar::valid_address(ac.user))
      return tl::unexpected(bad(file, a["user"],
                                "adapters." + capability +
                                    ": the user is the organizer's e-mail, not '" + ac.user + "'"));
    if ((ac.system == "salesforce" || ac.system == "netsuite") && ac.client_id.empty())
      return tl::unexpected(bad(file, a,
                                "adapters." + capability + ": " + ac.system +
                                    " needs the integration's OAuth2 client_id"));
    if (a["max_attempts"]) ac.max_attempts = a["max_attempts"].as<int>();
    c.adapters[capability] = ac;
  }
  return {};
}

// intake: [{name, vendor, secret_env | secret_file (docusign), public_key_file (ironclad),
//           namespace, workflow, workflows (kind → workflow), max_age, events, account_id}]
engine::Result<void> read_intake(const std::string& file, const YAML::Node& node, ServeConfig& c) {
  if (!node.IsSequence()) return tl::unexpected(bad(file, node, "intake must be a list"));
  static const std::regex name_re("^[a-z0-9][a-z0-9-]{0,62}$");
  for (const auto& n : node) {
    if (auto k =
            known(file, n,
                  {"name", "vendor", "secret_env", "secret_file", "public_key_file", "namespace",
                   "workflow", "workflows", "max_age", "events", "account_id", "rate_limit"},
                  "an intake source");
        !k)
      return k;
    intake::Source s;
    if (!n["name"] || !n["vendor"])
      return tl::unexpected(bad(file, n, "an intake source needs a name and a vendor"));
    s.name = n["name"].as<std::string>();
    if (!std::regex_match(s.name, name_re))
      return tl::unexpected(bad(
          file, n["name"], "an intake name is 1 to 63 of a-z, 0-9 and '-', not '" + s.name + "'"));
    for (const auto& other : c.intake)
      if (other.name == s.name)
        return tl::unexpected(bad(file, n["name"], "two intake sources named '" + s.name + "'"));
    s.vendor = n["vendor"].as<std::string>();
    std::string where = "intake '" + s.name + "'";
    if (s.vendor == "docusign") {
      auto secret = read_secret(file, n, where);
      if (!secret) return tl::unexpected(secret.error());
      s.hmac_keys.push_back(*secret);
      if (n["public_key_file"])
        return tl::unexpected(bad(file, n["public_key_file"],
                                  where + ": DocuSign signs with an HMAC key (secret_env)"));
    } else if (s.vendor == "ironclad") {
      if (!n["public_key_file"])
        return tl::unexpected(bad(file, n, where + ": Ironclad needs its public_key_file"));
      std::string path = n["public_key_file"].as<std::string>();
      std::ifstream in(path);
      std::stringstream ss;
      ss << in.rdbuf();
      s.public_key_pem = ss.str();
      if (!in || s.public_key_pem.find("BEGIN PUBLIC KEY") == std::string::npos)
        return tl::unexpected(
            bad(file, n["public_key_file"], where + ": " + path + " is not a PEM public key"));
      if (n["secret_env"] || n["secret_file"])
        return tl::unexpected(
            bad(file, n, where + ": Ironclad signs with its key pair (public_key_file)"));
    } else {
      return tl::unexpected(bad(
          file, n["vendor"], "an intake vendor is docusign or ironclad, not '" + s.vendor + "'"));
    }
    if (n["namespace"]) {
      s.ns = n["namespace"].as<std::string>();
      if (!engine::store::valid_namespace(s.ns))
        return tl::unexpected(
            bad(file, n["namespace"],
                "a namespace is 1 to 63 of a-z, 0-9 and '-', not '" + s.ns + "'"));
    }
    if (n["workflow"]) s.workflow = n["workflow"].as<std::string>();
    if (auto w = n["workflows"]) {
      if (!w.IsMap())
        return tl::unexpected(
            bad(file, w, where + ": workflows maps a document kind to a workflow"));
      for (const auto& kv : w) {
        std::string kind = kv.first.as<std::string>();
        if (kind != "agreement" && kind != "msa" && kind != "sow" && kind != "order_form" &&
            kind != "amendment")
          return tl::unexpected(bad(file, kv.first,
                                    where +
                                        ": a document kind is agreement, msa, sow, "
                                        "order_form or amendment, not '" +
                                        kind + "'"));
        if (s.vendor != "docusign")
          return tl::unexpected(bad(file, w,
                                    where + ": only DocuSign deliveries name the "
                                            "document's kind (an envelope custom field)"));
        s.workflow_by_kind[kind] = kv.second.as<std::string>();
      }
    }
    if (n["account_id"]) s.account_id = n["account_id"].as<std::string>();
    if (n["events"]) s.events = n["events"].as<std::vector<std::string>>();
    if (n["max_age"]) {
      auto d = workflows::parse_duration(n["max_age"].as<std::string>());
      if (!d.seconds) return tl::unexpected(bad(file, n["max_age"], d.error));
      if (*d.seconds < 60 || *d.seconds > 30 * 86400)
        return tl::unexpected(bad(file, n["max_age"], where + ": max_age is from 1m to 30d"));
      if (s.vendor != "docusign")
        return tl::unexpected(
            bad(file, n["max_age"], where + ": only DocuSign deliveries carry a signed time"));
      s.max_age_s = *d.seconds;
    }
    if (auto r = n["rate_limit"]) {
      if (auto k = known(file, r, {"per_second", "burst"}, where + " rate_limit"); !k) return k;
      if (r["per_second"]) s.per_second = r["per_second"].as<double>();
      if (r["burst"]) s.burst = r["burst"].as<double>();
      if (!(s.per_second > 0) || s.per_second > 1e6 || !(s.burst >= 1) || s.burst > 1e6)
        return tl::unexpected(
            bad(file, r, where + ": rate_limit.per_second is more than 0, burst 1 or more"));
    }
    c.intake.push_back(std::move(s));
  }
  return {};
}

// rate_limits: { per_second, burst, namespaces: { NS: { per_second, burst } } }
engine::Result<void> read_rate_limits(const std::string& file, const YAML::Node& node,
                                      ServeConfig& c) {
  auto one = [&](const YAML::Node& n, const std::string& where,
                 http::RateLimit& out) -> engine::Result<void> {
    if (auto k = known(file, n, {"per_second", "burst", "namespaces"}, where); !k) return k;
    if (n["per_second"]) {
      out.per_second = n["per_second"].as<double>();
      if (!(out.per_second > 0) || out.per_second > 1e6)
        return tl::unexpected(bad(file, n["per_second"], where + ".per_second is more than 0"));
      out.burst = std::max(1.0, out.per_second);
    }
    if (n["burst"]) {
      out.burst = n["burst"].as<double>();
      if (!(out.burst >= 1) || out.burst > 1e6 || !n["per_second"])
        return tl::unexpected(
            bad(file, n["burst"], where + ".burst is 1 or more, with a per_second"));
    }
    return {};
  };
  if (!node.IsMap()) return tl::unexpected(bad(file, node, "rate_limits is a map"));
  if (auto r = one(node, "rate_limits", c.rate_limits.fallback); !r) return r;
  if (auto ns = node["namespaces"]) {
    if (!ns.IsMap()) return tl::unexpected(bad(file, ns, "rate_limits.namespaces is a map"));
    for (const auto& kv : ns) {
      std::string name = kv.first.as<std::string>();
      if (!engine::store::valid_namespace(name))
        return tl::unexpected(
            bad(file, kv.first, "a namespace is 1 to 63 of a-z, 0-9 and '-', not '" + name + "'"));
      if (kv.second["namespaces"])
        return tl::unexpected(bad(file, kv.second, "a namespace's limit has no namespaces"));
      if (!kv.second["per_second"])
        return tl::unexpected(bad(file, kv.second, "a namespace's limit needs per_second"));
      if (auto r = one(kv.second, "rate_limits." + name, c.rate_limits.by_ns[name]); !r) return r;
    }
  }
  return {};
}

engine::Result<std::string> read_secret(const std::string& file, const YAML::Node& hook,
                                        const std::string& name) {
  if (hook["secret_env"]) {
    std::string var = hook["secret_env"].as<std::string>();
    std::string v = env(var.c_str());
    if (v.empty())
      return tl::unexpected(bad(file, hook["secret_env"], name + ": $" + var + " is not set"));
    return v;
  }
  if (hook["secret_file"]) {
    std::string path = hook["secret_file"].as<std::string>();
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string v = ss.str();
    while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
    if (!in || v.empty())
      return tl::unexpected(bad(file, hook["secret_file"], name + ": cannot read " + path));
    return v;
  }
  return tl::unexpected(bad(file, hook, name + " needs secret_env or secret_file"));
}

engine::Result<void> read_file(const std::string& file, ServeConfig& c) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return engine::fail(engine::ErrorCode::InvalidArgument, file + ": cannot read it", file);
  if (auto crossed = workflows::check_yaml_bounds(text.str()))
    return engine::fail(engine::ErrorCode::InvalidArgument,
                        file + ":" + std::to_string(crossed->line) + ":" +
                            std::to_string(crossed->column) + ": " + crossed->message,
                        file);
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return engine::fail(engine::ErrorCode::InvalidArgument,
                        file + ":" + std::to_string(e.mark.line + 1) + ":" +
                            std::to_string(e.mark.column + 1) + ": " + e.msg,
                        file);
  }
  if (root.IsNull()) return {};
  try {
    if (auto k = known(file, root,
                       {"database", "server", "workers", "lease", "approvals", "webhooks",
                        "rate_limits", "adapters", "documents", "extraction", "identity", "intake"},
                       "the config");
        !k)
      return k;
    if (root["database"]) {
      c.db = root["database"].as<std::string>();
      if (c.db.find('@') != std::string::npos &&
          c.db.find(':', c.db.find("//") + 2) < c.db.find('@'))
        return tl::unexpected(bad(file, root["database"],
                                  "the database URL carries a password: use PGPASSWORD, "
                                  "~/.pgpass or COVENANT_DB instead"));
    }
    if (auto s = root["server"]) {
      if (auto k = known(file, s, {"host", "port", "public_url"}, "server"); !k) return k;
      if (s["host"]) c.host = s["host"].as<std::string>();
      if (s["port"]) c.port = s["port"].as<int>();
      if (s["public_url"]) c.public_url = s["public_url"].as<std::string>();
      if (c.port < 0 || c.port > 65535) return tl::unexpected(bad(file, s["port"], "bad port"));
    }
    if (auto d = root["documents"]) {
      if (auto k = known(file, d, {"root"}, "documents"); !k) return k;
      if (d["root"]) c.documents_root = d["root"].as<std::string>();
    }
    if (auto x = root["extraction"]) {
      if (auto k = known(file, x, {"mode", "model"}, "extraction"); !k) return k;
      if (x["mode"]) c.extraction.mode = x["mode"].as<std::string>();
      if (c.extraction.mode != "rules" && c.extraction.mode != "model" &&
          c.extraction.mode != "vote")
        return tl::unexpected(bad(file, x["mode"], "extraction.mode must be rules, model or vote"));
      if (c.extraction.mode != "rules" && !x["model"])
        return tl::unexpected(bad(
            file, x,
            "extraction." + c.extraction.mode + " needs a model: {base_url, model, secret_env}"));
      if (auto m = x["model"]) {
        if (auto k =
                known(file, m,
                      {"base_url", "model", "secret_env", "secret_file", "timeout", "max_attempts"},
                      "extraction.model");
            !k)
          return k;
        auto& e = c.extraction.endpoint;
        e.system = "openai";
        if (!m["base_url"] || !m["model"])
          return tl::unexpected(bad(file, m, "extraction.model needs base_url and model"));
        e.base_url = m["base_url"].as<std::string>();
        if (e.base_url.rfind("http://", 0) != 0 && e.base_url.rfind("https://", 0) != 0)
          return tl::unexpected(
              bad(file, m["base_url"], "the base_url must be http:// or https://"));
        c.extraction.model = m["model"].as<std::string>();
        auto secret = read_secret(file, m, "extraction.model");
        if (!secret) return tl::unexpected(secret.error());
        e.secret = *secret;
        e.timeout = std::chrono::seconds(60);
        if (m["timeout"]) {
          auto d = workflows::parse_duration(m["timeout"].as<std::string>());
          if (!d.seconds) return tl::unexpected(bad(file, m["timeout"], d.error));
          e.timeout = std::chrono::seconds(*d.seconds);
        }
        if (m["max_attempts"]) e.max_attempts = m["max_attempts"].as<int>();
      }
    }
    if (root["workers"]) {
      c.workers = root["workers"].as<int>();
      if (c.workers < 1 || c.workers > 256)
        return tl::unexpected(bad(file, root["workers"], "workers must be from 1 to 256"));
    }
    if (root["lease"]) {
      auto d = workflows::parse_duration(root["lease"].as<std::string>());
      if (!d.seconds) return tl::unexpected(bad(file, root["lease"], d.error));
      if (*d.seconds < 3 || *d.seconds > 3600)
        return tl::unexpected(bad(file, root["lease"], "lease must be from 3s to 1h"));
      c.lease = std::chrono::seconds(*d.seconds);
    }
    if (auto a = root["approvals"]) {
      if (auto k = known(file, a, {"token_ttl"}, "approvals"); !k) return k;
      if (a["token_ttl"]) {
        auto d = workflows::parse_duration(a["token_ttl"].as<std::string>());
        if (!d.seconds) return tl::unexpected(bad(file, a["token_ttl"], d.error));
        c.token_ttl = std::chrono::seconds(*d.seconds);
      }
    }
    if (auto limits = root["rate_limits"])
      if (auto r = read_rate_limits(file, limits, c); !r) return r;
    if (auto adapters = root["adapters"])
      if (auto r = read_adapters(file, adapters, c); !r) return r;
    if (auto in = root["intake"])
      if (auto r = read_intake(file, in, c); !r) return r;
    if (auto identity = root["identity"])
      if (auto r = read_identity(file, identity, c); !r) return r;
    if (auto hooks = root["webhooks"]) {
      if (!hooks.IsSequence()) return tl::unexpected(bad(file, hooks, "webhooks must be a list"));
      for (const auto& h : hooks) {
        if (auto k = known(file, h,
                           {"name", "url", "secret_env", "secret_file", "topics", "principal",
                            "format", "namespace", "previous"},
                           "a webhook");
            !k)
          return k;
        engine::notify::Endpoint e;
        if (h["format"]) {
          e.format = h["format"].as<std::string>();
          if (e.format != "covenant" && e.format != "slack")
            return tl::unexpected(bad(file, h["format"], "format is covenant or slack"));
          if (e.format == "covenant") e.format.clear();
        }
        bool slack = e.format == "slack";
        if (!h["name"] || (!slack && !h["url"]))
          return tl::unexpected(bad(file, h, "a webhook needs a name and a url"));
        if (slack && h["url"])
          return tl::unexpected(
              bad(file, h["url"],
                  "a Slack webhook's URL is its secret: give it in secret_env or secret_file"));
        e.name = h["name"].as<std::string>();
        auto secret = read_secret(file, h, "webhook '" + e.name + "'");
        if (!secret) return tl::unexpected(secret.error());
        // Slack: the incoming webhook URL is the secret, and messages go unsigned.
        e.url = slack ? *secret : h["url"].as<std::string>();
        if (!slack) e.secret = *secret;
        if (e.url.rfind("http://", 0) != 0 && e.url.rfind("https://", 0) != 0)
          return tl::unexpected(
              bad(file, slack ? h : h["url"], "the url must be http:// or https://"));
        if (h["topics"]) e.topics = h["topics"].as<std::vector<std::string>>();
        if (h["principal"]) e.principal = h["principal"].as<std::string>();
        if (h["namespace"]) {
          e.ns = h["namespace"].as<std::string>();
          if (!engine::store::valid_namespace(e.ns))
            return tl::unexpected(
                bad(file, h["namespace"],
                    "a namespace is 1 to 63 of a-z, 0-9 and '-', not '" + e.ns + "'"));
        }
        if (auto p = h["previous"]) {  // a rotation's overlap: the old secret signs too, until
          if (auto k = known(file, p, {"secret_env", "secret_file", "until"},
                             "webhook '" + e.name + "' previous");
              !k)
            return k;
          if (slack)
            return tl::unexpected(bad(file, p, "a Slack webhook is not signed: nothing to rotate"));
          auto old = read_secret(file, p, "webhook '" + e.name + "' previous");
          if (!old) return tl::unexpected(old.error());
          if (*old == e.secret)
            return tl::unexpected(
                bad(file, p, "the previous secret is the current one: nothing was rotated"));
          auto until = p["until"] ? engine::parse_rfc3339(p["until"].as<std::string>())
                                  : std::optional<engine::TimePoint>{};
          if (!until)
            return tl::unexpected(bad(file, p["until"] ? p["until"] : p,
                                      "previous needs until: the RFC 3339 time the old secret "
                                      "stops signing (2027-01-31T00:00:00Z)"));
          e.previous_secret = *old;
          e.previous_until_s = engine::to_micros(*until) / 1'000'000;
        }
        for (const auto& other : c.webhooks)
          if (other.name == e.name)
            return tl::unexpected(
                bad(file, h["name"], "two webhooks are named '" + e.name + "': names are keys"));
        c.webhooks.push_back(std::move(e));
      }
    }
  } catch (const YAML::Exception& e) {  // boundary: a value of the wrong type
    return engine::fail(engine::ErrorCode::InvalidArgument,
                        file + ":" + std::to_string(e.mark.line + 1) + ":" +
                            std::to_string(e.mark.column + 1) + ": " + e.msg,
                        file);
  }
  return {};
}

}  // namespace

engine::Result<engine::log::Options> logging_options(std::string level, std::string format) {
  if (level.empty()) level = env("COVENANT_LOG_LEVEL");
  if (format.empty()) format = env("COVENANT_LOG_FORMAT");
  engine::log::Options o;
  if (!level.empty()) {
    auto l = engine::log::parse_level(level);
    if (!l) return tl::unexpected(l.error());
    o.level = *l;
  }
  if (!format.empty()) {
    auto f = engine::log::parse_format(format);
    if (!f) return tl::unexpected(f.error());
    o.format = *f;
  }
  return o;
}

std::string default_database_url() {
  std::string db = env("COVENANT_DB");
  return db.empty() ? "sqlite:covenant.db" : db;
}

std::string process_identity() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid());
}

engine::Result<ServeConfig> load_serve_config(const std::string& path) {
  ServeConfig c;
  std::string file = path.empty() ? env("COVENANT_CONFIG") : path;
  if (file.empty() && std::filesystem::exists("covenant.yaml")) file = "covenant.yaml";
  if (!file.empty())
    if (auto r = read_file(file, c); !r) return tl::unexpected(r.error());
  if (auto db = env("COVENANT_DB"); !db.empty()) c.db = db;
  if (auto port = env("COVENANT_PORT"); !port.empty()) {
    try {
      c.port = std::stoi(port);
    } catch (const std::exception&) {  // boundary: std::stoi reports by exception
      return engine::fail(engine::ErrorCode::InvalidArgument, "COVENANT_PORT is not a number");
    }
  }
  if (auto url = env("COVENANT_PUBLIC_URL"); !url.empty()) c.public_url = url;
  return c;
}

}  // namespace covenant::app
