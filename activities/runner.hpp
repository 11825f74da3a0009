// Runner: runs the built-in activities that call external systems through adapters. The
// engine passes each attempt's idempotency key; adapters hand it to the system so a retried
// write happens once. Failures keep the system's own message and get an error code that
// workflows can `catch` or `retry` on:
//   Unavailable (transient: retried), Invalid (the system refused the data), InvalidInput
//   (the activity's input is wrong before any call), NotFound, Unauthorized, Conflict,
//   NotConfigured (no adapter for the system), NotImplemented.
// Thread-safe when the adapters are.
#pragma once

#include "activities/contract_book.hpp"
#include "activities/documents.hpp"
#include "activities/extract/extractor.hpp"
#include "activities/usage_ledger.hpp"
#include "adapters/billing/billing.hpp"
#include "adapters/calendar/calendar.hpp"
#include "adapters/clm/clm.hpp"
#include "adapters/crm/crm.hpp"
#include "adapters/erp/erp.hpp"
#include "adapters/notifier/slack.hpp"
#include "adapters/notifier/teams.hpp"
#include "adapters/ticketing/ticketing.hpp"
#include "adapters/worktools/worktools.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace covenant::activities {

struct Outcome {
  bool ok = false;
  nlohmann::json result;
  std::string code, message;
  bool retryable = false;
};

struct Systems {
  std::shared_ptr<adapters::billing::Billing> billing;
  std::shared_ptr<adapters::crm::Crm> crm;
  std::shared_ptr<adapters::crm::Cpq> cpq;
  std::shared_ptr<adapters::erp::Erp> erp;
  std::shared_ptr<adapters::ticketing::Ticketing> ticketing;
  std::shared_ptr<adapters::notifier::Slack> slack;
  // notify.teams: a Microsoft Teams channel's incoming webhook.
  std::shared_ptr<adapters::notifier::Teams> teams;
  // calendar.invite: where deadlines go as invitations to their owners.
  std::shared_ptr<adapters::calendar::Calendar> calendar;
  // jira.*, asana.*: where provisioning and milestone work is tracked.
  std::shared_ptr<adapters::worktools::WorkTracker> jira, asana;
  // ingest.signed_document: the CLM and e-signature systems by name (docusign, ironclad).
  std::map<std::string, std::shared_ptr<adapters::clm::Clm>> clm;
  // notify.webhook: where signed webhooks go by default, and their signing secret.
  std::string webhook_url, webhook_secret;
  // ingest.*: where documents are stored, and the directory `file:` sources are read from.
  std::shared_ptr<DocumentStore> documents;
  std::string documents_root;
  // usage.total: metered usage per contract.
  std::shared_ptr<UsageLedger> usage;
  // contracts.*: the book of contracts (agreements, SOWs, amendments).
  std::shared_ptr<ContractBook> book;
  // extract.terms: the extractor (RuleExtractor when not set).
  std::shared_ptr<const extract::Extractor> extractor;
  // monitor.*: today's date as days since 1970-01-01 (injected: activities read no clock).
  std::function<std::int64_t()> today;
  // The namespace of the instance an activity runs for (set per call by Runner::run): the
  // documents it stores and reads are that namespace's.
  std::string ns;
};

class Runner {
 public:
  // `timestamp_s` tells the time for webhook signatures (injected: no clock here).
  explicit Runner(
      Systems s, std::function<std::int64_t()> timestamp_s = [] { return std::int64_t{0}; })
      : s_(std::move(s)), timestamp_s_(std::move(timestamp_s)) {}
  // `ns`: the namespace of the instance it runs for.
  Outcome run(const std::string& activity, const nlohmann::json& input,
              const std::string& idempotency_key, const std::string& ns) const;

 private:
  Systems s_;
  std::function<std::int64_t()> timestamp_s_;
};

// The error code for an adapter failure (see above).
Outcome failed(const adapters::http::Error& e);

}  // namespace covenant::activities
