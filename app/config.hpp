// Configuration, in one place: the environment (no getenv anywhere else) and covenant.yaml.
// Precedence: command-line flags, then environment variables, then the file, then defaults.
// Secrets (webhook signing keys, database passwords) come only from the environment or from
// files named in the config, never from covenant.yaml itself, and are never logged.
#pragma once

#include "app/http/rate_limit.hpp"
#include "app/intake.hpp"
#include "engine/auth/oidc.hpp"
#include "engine/error.hpp"
#include "engine/log.hpp"
#include "engine/notify/notifier.hpp"

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace covenant::app {

// COVENANT_DB, or "sqlite:covenant.db" (a file in the current directory).
std::string default_database_url();

// A short description of the process for ids: host name and pid.
std::string process_identity();

// How the process logs (engine/log.hpp): the flags, each falling back to its environment
// variable when empty (COVENANT_LOG_LEVEL, COVENANT_LOG_FORMAT). An unknown value is an
// InvalidArgument naming it.
engine::Result<engine::log::Options> logging_options(std::string level, std::string format);

// How to reach one external system (docs/adapters.md).
struct AdapterConfig {
  std::string system;     // stripe (billing), salesforce (crm, cpq)
  std::string base_url;   // e.g. https://api.stripe.com, or the sandbox
  std::string secret;     // from secret_env or secret_file only (an OAuth2 client secret too)
  std::string client_id;  // OAuth2 client credentials (Salesforce, NetSuite)
  std::string user;       // Zendesk: the agent's e-mail (basic auth "{email}/token")
  std::chrono::seconds timeout{10};
  double rate_per_second = 0;  // 0: no limit
  int max_attempts = 4;
};

// Which term extractor extract.terms uses (docs/extraction.md): the rules (default), an
// OpenAI-compatible model endpoint, or both voting.
struct ExtractionConfig {
  std::string mode = "rules";  // rules | model | vote
  AdapterConfig endpoint;      // system "openai": base_url, secret, timeout, max_attempts
  std::string model;           // the model name sent in each request
};

// A trusted identity provider (docs/principals.md#identity-providers): its issuer and
// audience, how claims map to a name and roles, and its key set, read from `jwks_file` when
// the config loads.
struct OidcConfig {
  engine::auth::OidcIssuer issuer;
  std::string jwks_file;  // read when the config loads, into `keys`
  std::string jwks_url;   // or fetched when the server starts (app/identity.hpp), and again
                          // when a token names a key not seen yet
  std::vector<engine::auth::Jwk> keys;
};

struct ServeConfig {
  std::string db;  // "" : default_database_url()
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string public_url;  // "" : http://host:port
  int workers = 4;
  // How long a worker holds a task it claimed before another may take it (heartbeats renew
  // it every third while the activity runs): the longest a killed worker's task waits.
  std::chrono::seconds lease{30};
  std::chrono::seconds token_ttl{72 * 3600};
  std::vector<engine::notify::Endpoint> webhooks;
  std::map<std::string, AdapterConfig> adapters;  // by capability: billing, …
  // ingest.*: `file:` document sources are read below this directory ("": none allowed).
  std::string documents_root;
  ExtractionConfig extraction;
  std::vector<OidcConfig> oidc;        // identity.oidc
  http::RateLimits rate_limits;        // rate_limits: per namespace (none by default)
  std::vector<intake::Source> intake;  // intake: CLM deliveries (docs/intake.md)
};

// Reads `path` (or $COVENANT_CONFIG, or ./covenant.yaml when it exists; none is fine), then
// applies COVENANT_DB, COVENANT_PORT and COVENANT_PUBLIC_URL. Errors: InvalidArgument, with
// the file, line and column (a bad value, an unknown key, a secret written into the file, a
// secret_env that is not set, a secret_file that cannot be read).
engine::Result<ServeConfig> load_serve_config(const std::string& path);

}  // namespace covenant::app
