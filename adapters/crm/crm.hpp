// CRM and CPQ systems, by capability. CRM: find accounts (name, domain, tax id), upsert an
// account by external id, read an opportunity and an account's contacts, create tasks and
// cases (exactly once: the engine's key is their external id). CPQ: read a quote and its
// lines (product, quantity, list and net prices, discount, term). Inputs are the activity's
// input (adapters/operations.cpp); results are normalised JSON. Implementation:
// salesforce.hpp. Thread-safe.
#pragma once

#include "adapters/http/client.hpp"

#include <nlohmann/json.hpp>

namespace covenant::adapters::crm {

using nlohmann::json;

class Crm {
 public:
  virtual ~Crm() = default;
  virtual http::Result<json> find_account(const json& in) = 0;
  virtual http::Result<json> upsert_account(const json& in, const std::string& key) = 0;
  virtual http::Result<json> get_opportunity(const json& in) = 0;
  virtual http::Result<json> list_contacts(const json& in) = 0;
  virtual http::Result<json> create_task(const json& in, const std::string& key) = 0;
  virtual http::Result<json> create_case(const json& in, const std::string& key) = 0;
};

class Cpq {
 public:
  virtual ~Cpq() = default;
  virtual http::Result<json> get_quote(const json& in) = 0;
  virtual http::Result<json> list_quote_lines(const json& in) = 0;
};

}  // namespace covenant::adapters::crm
