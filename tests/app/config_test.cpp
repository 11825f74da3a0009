// covenant.yaml: the documented example loads; secrets come only from the environment or
// files; every bad entry is refused with its file, line and column.
#include "app/config.hpp"

#include "tests/support/jwt_signer.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace {

std::string write(const covenant::testing::TempDir& dir, const std::string& text) {
  auto path = (dir.path() / "covenant.yaml").string();
  std::ofstream(path) << text;
  return path;
}

std::string documented_example() {
  std::ifstream in(std::string(COVENANT_SOURCE_DIR) + "/docs/configuration.md");
  std::string line, out;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```yaml") {
      inside = true;
    } else if (inside && line == "```") {
      return out;
    } else if (inside) {
      out += line + "\n";
    }
  }
  return out;
}

std::string refused(const std::string& text) {
  covenant::testing::TempDir dir;
  auto c = covenant::app::load_serve_config(write(dir, text));
  REQUIRE_FALSE(c);
  return c.error().message;
}

}  // namespace

TEST_CASE("The documented covenant.yaml loads, with secrets from the environment") {
  covenant::testing::TempDir dir;
  setenv("COVENANT_WEBHOOK_SECRET", "whsec_bot", 1);
  setenv("COVENANT_OPS_WEBHOOK_SECRET", "whsec_ops", 1);
  setenv("COVENANT_BOB_WEBHOOK_SECRET", "whsec_bob", 1);
  setenv("COVENANT_BOB_SLACK_URL", "https://hooks.slack.com/services/T0/B0/bob", 1);
  setenv("STRIPE_SECRET_KEY", "sk_test_from_env", 1);
  setenv("OPENAI_API_KEY", "sk-model-from-env", 1);
  setenv("ACME_ERP_WEBHOOK_SECRET", "whsec_acme_new", 1);
  setenv("ACME_ERP_WEBHOOK_SECRET_OLD", "whsec_acme_old", 1);
  setenv("DOCUSIGN_CONNECT_HMAC", "connect-key-from-env", 1);
  unsetenv("COVENANT_DB");
  unsetenv("COVENANT_PORT");
  unsetenv("COVENANT_PUBLIC_URL");
  auto c = covenant::app::load_serve_config(write(dir, documented_example()));
  REQUIRE(c);
  CHECK(c->db == "sqlite:/var/lib/covenant/covenant.db");
  CHECK(c->port == 8080);
  CHECK(c->lease == std::chrono::seconds(30));
  CHECK(c->public_url == "https://covenant.example.com");
  CHECK(c->token_ttl == std::chrono::hours(72));
  REQUIRE(c->intake.size() == 1);
  CHECK(c->intake[0].name == "docusign");
  CHECK(c->intake[0].hmac_keys == std::vector<std::string>{"connect-key-from-env"});
  CHECK(c->intake[0].max_age_s == 48 * 3600);
  CHECK(c->intake[0].ns == "default");
  CHECK(c->intake[0].workflow_by_kind ==
        std::map<std::string, std::string>{{"amendment", "contract-amendment"}});
  CHECK(c->rate_limits.fallback.per_second == 50);
  CHECK(c->rate_limits.fallback.burst == 100);
  REQUIRE(c->rate_limits.by_ns.count("acme"));
  CHECK(c->rate_limits.by_ns.at("acme").per_second == 10);
  CHECK(c->rate_limits.by_ns.at("acme").burst == 20);
  REQUIRE(c->webhooks.size() == 5);
  CHECK(c->webhooks[0].secret == "whsec_bot");
  CHECK(c->webhooks[0].wants("approval.reminder"));
  CHECK_FALSE(c->webhooks[0].wants("workflow.failed"));
  CHECK(c->webhooks[0].principal.empty());   // shared: never a token
  CHECK(c->webhooks[1].principal == "bob");  // bob's own channel
  CHECK(c->webhooks[1].secret == "whsec_bob");
  // bob's Slack: the URL is the secret, and nothing is signed.
  CHECK(c->webhooks[2].format == "slack");
  CHECK(c->webhooks[2].url == "https://hooks.slack.com/services/T0/B0/bob");
  CHECK(c->webhooks[2].secret.empty());
  CHECK(c->webhooks[2].principal == "bob");
  CHECK(c->webhooks[3].secret == "whsec_ops");
  CHECK(c->webhooks[3].format.empty());
  CHECK(c->webhooks[3].wants("compensation.failed"));
  CHECK(c->webhooks[3].ns == "default");
  // acme's endpoint during a rotation: both secrets sign until `until`, then the new one.
  const auto& acme = c->webhooks[4];
  CHECK(acme.ns == "acme");
  CHECK(acme.secret == "whsec_acme_new");
  CHECK(acme.previous_secret == "whsec_acme_old");
  CHECK(acme.previous_until_s == 1800000000 + 1'440'000);  // 2027-02-01T00:00:00Z
  CHECK(acme.secrets_at(acme.previous_until_s - 1) ==
        std::vector<std::string>{"whsec_acme_new", "whsec_acme_old"});
  CHECK(acme.secrets_at(acme.previous_until_s) == std::vector<std::string>{"whsec_acme_new"});
  REQUIRE(c->adapters.count("billing"));
  CHECK(c->adapters["billing"].system == "stripe");
  CHECK(c->adapters["billing"].secret == "sk_test_from_env");
  CHECK(c->adapters["billing"].timeout == std::chrono::seconds(20));
  CHECK(c->adapters["billing"].rate_per_second == 25);
  CHECK(c->documents_root == "/srv/contracts");
  CHECK(c->extraction.mode == "vote");
  CHECK(c->extraction.model == "gpt-4o-mini");
  CHECK(c->extraction.endpoint.secret == "sk-model-from-env");
  CHECK(c->extraction.endpoint.timeout == std::chrono::seconds(60));
  setenv("COVENANT_PORT", "9191", 1);
  setenv("COVENANT_DB", "sqlite:/tmp/other.db", 1);
  auto overridden = covenant::app::load_serve_config(write(dir, documented_example()));
  REQUIRE(overridden);
  CHECK(overridden->port == 9191);
  CHECK(overridden->db == "sqlite:/tmp/other.db");
  unsetenv("COVENANT_PORT");
  unsetenv("COVENANT_DB");
}

TEST_CASE("Secrets written into covenant.yaml, and other mistakes, are refused where they are") {
  unsetenv("COVENANT_MISSING_SECRET");
  CHECK(refused("lease: 1s\n").find(":1:8: lease must be from 3s to 1h") != std::string::npos);
  CHECK(refused("lease: soon\n").find(":1:8:") != std::string::npos);
  CHECK(refused("extraction:\n  mode: guess\n").find(":2:9: extraction.mode must be") !=
        std::string::npos);
  CHECK(refused("extraction:\n  mode: vote\n").find("extraction.vote needs a model") !=
        std::string::npos);
  CHECK(refused("extraction:\n  mode: model\n  model:\n    base_url: https://m.example\n    "
                "model: m\n    secret_env: COVENANT_MISSING_SECRET\n")
            .find("$COVENANT_MISSING_SECRET is not set") != std::string::npos);
  CHECK(refused("webhooks:\n  - name: a\n    url: http://127.0.0.1:1/\n    secret: hunter2\n")
            .find(":4:5: secrets do not belong in the config file") != std::string::npos);
  CHECK(refused("database: postgresql://covenant:hunter2@db/covenant\n")
            .find(":1:11: the database URL carries a password") != std::string::npos);
  CHECK(refused("webhooks:\n  - name: a\n    url: http://127.0.0.1:1/\n    secret_env: "
                "COVENANT_MISSING_SECRET\n")
            .find("$COVENANT_MISSING_SECRET is not set") != std::string::npos);
  CHECK(refused("webhooks:\n  - name: a\n    url: http://127.0.0.1:1/\n    secret_file: "
                "/nonexistent/secret\n")
            .find("cannot read /nonexistent/secret") != std::string::npos);
  CHECK(refused("server:\n  prot: 8080\n").find(":2:3: unknown key 'prot' in server") !=
        std::string::npos);
  CHECK(refused("server:\n  port: eighty\n").find(":2:9:") != std::string::npos);
  CHECK(refused("approvals:\n  token_ttl: 1 month\n").find(":2:14:") != std::string::npos);
  CHECK(refused("webhooks:\n  - name: a\n    url: ftp://x\n    secret_env: HOME\n")
            .find("http:// or https://") != std::string::npos);
  CHECK(refused("server: [1, 2\n").find(":") != std::string::npos);
  // A Slack webhook's URL is its secret: not written in the file, and it must be a URL.
  CHECK(refused("webhooks:\n  - name: s\n    format: slack\n    url: https://hooks.slack.com/x\n"
                "    secret_env: HOME\n")
            .find(":4:10: a Slack webhook's URL is its secret") != std::string::npos);
  CHECK(refused("webhooks:\n  - name: s\n    format: slack\n    secret_env: HOME\n")
            .find("the url must be http:// or https://") != std::string::npos);
  CHECK(refused(
            "webhooks:\n  - name: s\n    format: teams\n    url: http://x/\n    secret_env: HOME\n")
            .find(":3:13: format is covenant or slack") != std::string::npos);
  CHECK(refused("adapters:\n  billing:\n    system: chargebee\n    base_url: http://x\n    "
                "secret_env: HOME\n")
            .find(":3:13: no billing adapter named 'chargebee'") != std::string::npos);
  CHECK(refused("adapters:\n  ticketing:\n    system: servicenow\n    base_url: http://x\n    "
                "secret_env: HOME\n")
            .find("ServiceNow needs the integration user as user") != std::string::npos);
  CHECK(refused("adapters:\n  billing:\n    system: stripe\n    base_url: http://x\n")
            .find("adapters.billing needs secret_env or secret_file") != std::string::npos);
  // Rate limits.
  CHECK(refused("rate_limits:\n  per_second: 0\n")
            .find(":2:15: rate_limits.per_second is more "
                  "than 0") != std::string::npos);
  CHECK(refused("rate_limits:\n  burst: 5\n").find("with a per_second") != std::string::npos);
  CHECK(refused("rate_limits:\n  namespaces:\n    Acme: { per_second: 1 }\n")
            .find(":3:5: a namespace is") != std::string::npos);
  CHECK(refused("rate_limits:\n  namespaces:\n    acme: { burst: 3 }\n").find("needs per_second") !=
        std::string::npos);
  CHECK(refused("rate_limits:\n  per_sec: 3\n").find("unknown key 'per_sec'") != std::string::npos);
  // Webhooks per namespace, and a rotation's overlap.
  const std::string hook = "webhooks:\n  - name: a\n    url: http://x/\n    secret_env: HOME\n";
  CHECK(refused(hook + "    namespace: Acme\n").find(":5:16: a namespace is") != std::string::npos);
  CHECK(refused(hook + hook.substr(10)).find("two webhooks are named 'a'") != std::string::npos);
  CHECK(refused(hook + "    previous:\n      secret_env: HOME\n      until: 2027-02-01T00:00:00Z\n")
            .find("the previous secret is the current one") != std::string::npos);
  setenv("COVENANT_OLD_SECRET", "whsec_old", 1);
  CHECK(refused(hook + "    previous:\n      secret_env: COVENANT_OLD_SECRET\n")
            .find("previous needs until") != std::string::npos);
  CHECK(refused(hook + "    previous:\n      secret_env: COVENANT_OLD_SECRET\n      until: soon\n")
            .find(":7:14: previous needs until") != std::string::npos);
  CHECK(
      refused(hook + "    previous:\n      secret: whsec_old\n      until: 2027-02-01T00:00:00Z\n")
          .find("secrets do not belong in the config file") != std::string::npos);
  setenv("COVENANT_SLACK_URL", "https://hooks.slack.com/services/T0/B0/x", 1);
  CHECK(refused("webhooks:\n  - name: s\n    format: slack\n    secret_env: COVENANT_SLACK_URL\n"
                "    previous:\n      secret_env: HOME\n      until: 2027-02-01T00:00:00Z\n")
            .find("a Slack webhook is not signed") != std::string::npos);
  CHECK(refused("adapters:\n  billing:\n    system: stripe\n    base_url: http://x\n    "
                "secret: sk_live_oops\n")
            .find("secrets do not belong in the config file") != std::string::npos);
}

TEST_CASE("A secret file is read and its trailing newline dropped") {
  covenant::testing::TempDir dir;
  auto secret = (dir.path() / "hook.secret").string();
  std::ofstream(secret) << "whsec_from_file\n";
  auto c = covenant::app::load_serve_config(write(
      dir,
      "webhooks:\n  - name: a\n    url: http://127.0.0.1:9/x\n    secret_file: " + secret + "\n"));
  REQUIRE(c);
  CHECK(c->webhooks[0].secret == "whsec_from_file");
}

TEST_CASE("Log options come from the flags, else the environment, and unknown values are refused") {
  namespace logging = covenant::engine::log;
  ::setenv("COVENANT_LOG_LEVEL", "debug", 1);
  ::setenv("COVENANT_LOG_FORMAT", "json", 1);
  auto from_env = covenant::app::logging_options("", "");
  REQUIRE(from_env);
  CHECK(from_env->level == logging::Level::Debug);
  CHECK(from_env->format == logging::Format::Json);
  auto flags = covenant::app::logging_options("error", "text");
  REQUIRE(flags);
  CHECK(flags->level == logging::Level::Error);
  CHECK(flags->format == logging::Format::Text);
  ::setenv("COVENANT_LOG_LEVEL", "verbose", 1);
  auto bad = covenant::app::logging_options("", "");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("'verbose'") != std::string::npos);
  CHECK_FALSE(covenant::app::logging_options("info", "xml"));
  ::unsetenv("COVENANT_LOG_LEVEL");
  ::unsetenv("COVENANT_LOG_FORMAT");
  auto plain = covenant::app::logging_options("", "");
  REQUIRE(plain);
  CHECK(plain->level == logging::Level::Info);
  CHECK(plain->format == logging::Format::Text);
}

TEST_CASE("The documented identity provider loads with its key set, and mistakes are refused") {
  covenant::testing::TempDir dir;
  auto jwks = (dir.path() / "acme-jwks.json").string();
  auto rsa = covenant::testing::make_rsa_key("acme-2026");
  std::ofstream(jwks) << covenant::testing::jwks_of({rsa});
  // The example in docs/principals.md, with its key set here.
  std::ifstream doc(std::string(COVENANT_SOURCE_DIR) + "/docs/principals.md");
  REQUIRE(doc);
  std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  auto start = text.find("```yaml\nidentity:");
  REQUIRE(start != std::string::npos);
  start += 8;
  std::string yaml = text.substr(start, text.find("```", start) - start);
  auto at = yaml.find("/etc/covenant/acme-jwks.json");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, std::string("/etc/covenant/acme-jwks.json").size(), jwks);
  auto c = covenant::app::load_serve_config(write(dir, yaml));
  REQUIRE(c);
  REQUIRE(c->oidc.size() == 1);
  const auto& idp = c->oidc[0].issuer;
  CHECK(idp.issuer == "https://login.acme.example/");
  CHECK(idp.audience == "covenant");
  CHECK(idp.subject_claim == "email");
  CHECK(idp.roles_claim == "groups");
  CHECK(idp.role_map.at("revops-team") == std::vector<std::string>{"revops", "auditor"});
  CHECK(idp.role_map.at("finance-approvers") == std::vector<std::string>{"finance"});
  CHECK(idp.leeway_s == 60);
  CHECK(idp.ns == "acme");
  REQUIRE(c->oidc[0].keys.size() == 1);
  CHECK(c->oidc[0].keys[0].kid == "acme-2026");
  // Mistakes, each where it is.
  CHECK(refused("identity:\n  oidc:\n    - issuer: https://x/\n      audience: c\n")
            .find("needs an issuer, an audience and one of jwks_file or jwks_url") !=
        std::string::npos);
  CHECK(refused("identity:\n  oidc:\n    - issuer: https://x/\n      audience: c\n      "
                "jwks_url: ftp://x/jwks\n")
            .find("jwks_url must be http:// or https://") != std::string::npos);
  CHECK(refused("identity:\n  oidc:\n    - issuer: https://x/\n      audience: c\n      "
                "jwks_file: /nonexistent/jwks.json\n")
            .find(":5:18: cannot read the key set") != std::string::npos);
  auto empty_set = (dir.path() / "empty.json").string();
  std::ofstream(empty_set) << R"({"keys": [{"kty": "oct", "kid": "k", "k": "c2VjcmV0"}]})";
  CHECK(refused("identity:\n  oidc:\n    - issuer: https://x/\n      audience: c\n      "
                "jwks_file: " +
                empty_set + "\n")
            .find("no RS256 or ES256 key") != std::string::npos);
  CHECK(refused("identity:\n  oidc:\n    - issuer: https://x/\n      audience: c\n      "
                "jwks_file: " +
                jwks + "\n      leeway: 2h\n")
            .find("leeway is at most 10m") != std::string::npos);
  CHECK(refused("identity:\n  saml: []\n").find("unknown key 'saml' in identity") !=
        std::string::npos);
  // Namespaces: one, or a claim with the namespaces it may name; never both, never a bad name.
  std::string idp_head =
      "identity:\n  oidc:\n    - issuer: https://x/\n      audience: c\n      "
      "jwks_file: " +
      jwks + "\n";
  CHECK(refused(idp_head + "      namespace: Not_One\n").find("a namespace is 1 to 63") !=
        std::string::npos);
  CHECK(refused(idp_head + "      namespace_claim: tenant\n").find("needs 'namespaces'") !=
        std::string::npos);
  CHECK(refused(idp_head + "      namespace: acme\n      namespace_claim: tenant\n      "
                           "namespaces: [acme]\n")
            .find("not both") != std::string::npos);
  CHECK(refused(idp_head + "      namespaces: [acme]\n").find("goes with namespace_claim") !=
        std::string::npos);
  auto shared = covenant::app::load_serve_config(
      write(dir, idp_head + "      namespace_claim: tenant\n      namespaces: [acme, globex]\n"));
  REQUIRE(shared);
  CHECK(shared->oidc[0].issuer.namespace_claim == "tenant");
  CHECK(shared->oidc[0].issuer.namespaces == std::vector<std::string>{"acme", "globex"});
}

TEST_CASE("Intake sources are refused when they could not verify what they take") {
  setenv("INTAKE_TEST_HMAC", "k", 1);
  CHECK(refused("intake:\n  - { name: ds, vendor: docusign }\n").find("needs secret_env") !=
        std::string::npos);
  CHECK(refused("intake:\n  - { name: ic, vendor: ironclad }\n").find("public_key_file") !=
        std::string::npos);
  CHECK(refused("intake:\n  - { name: ic, vendor: ironclad, public_key_file: /nonexistent.pem }\n")
            .find("not a PEM public key") != std::string::npos);
  CHECK(refused("intake:\n  - { name: x, vendor: icertis, secret_env: INTAKE_TEST_HMAC }\n")
            .find("docusign or ironclad") != std::string::npos);
  CHECK(refused("intake:\n  - { name: Bad Name, vendor: docusign, secret_env: INTAKE_TEST_HMAC }\n")
            .find("intake name") != std::string::npos);
  CHECK(refused("intake:\n  - { name: ds, vendor: docusign, secret_env: INTAKE_TEST_HMAC }\n"
                "  - { name: ds, vendor: docusign, secret_env: INTAKE_TEST_HMAC }\n")
            .find("two intake sources") != std::string::npos);
  CHECK(refused("intake:\n  - { name: ds, vendor: docusign, secret_env: INTAKE_TEST_HMAC, "
                "max_age: 90d }\n")
            .find("max_age") != std::string::npos);
  CHECK(refused("intake:\n  - { name: ds, vendor: docusign, secret_env: INTAKE_TEST_HMAC, "
                "namespace: ACME }\n")
            .find("namespace") != std::string::npos);
  CHECK(refused("intake: { name: ds }\n").find("a list") != std::string::npos);
  // A workflow per document kind: only the five kinds, only where the CLM names the kind.
  CHECK(refused("intake:\n  - { name: ds, vendor: docusign, secret_env: INTAKE_TEST_HMAC, "
                "workflows: { addendum: contract-amendment } }\n")
            .find("a document kind is agreement, msa, sow, order_form or amendment") !=
        std::string::npos);
  CHECK(refused("intake:\n  - { name: ds, vendor: docusign, secret_env: INTAKE_TEST_HMAC, "
                "workflows: [contract-amendment] }\n")
            .find("maps a document kind") != std::string::npos);
}
