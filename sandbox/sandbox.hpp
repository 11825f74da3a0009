// The sandbox of external systems (`covenant sandbox`): serves, on 127.0.0.1, the API shapes
// of the systems Covenant's adapters speak — Stripe, Salesforce, NetSuite, Zendesk, Slack,
// DocuSign and Ironclad (clm.hpp), Jira and Asana (worktools.hpp), a CalDAV calendar
// (calendar.hpp) — backed by its own database (sandbox/record_store.hpp), with
// each system's authentication and idempotency behaviour, and an admin API under /_sandbox for
// tests and demos:
//   POST   /_sandbox/faults    a fault rule (faults.hpp) — fail next N, latency, drop after commit
//   DELETE /_sandbox/faults    clear the rules and the request counts
//   GET    /_sandbox/records?system=stripe&kind=invoice   what the system holds
//   GET    /_sandbox/requests  requests seen per "METHOD path"
//   POST   /_sandbox/reset     forget everything
// Thread-safe (requests run on httplib's pool; the store serialises transactions).
#pragma once

#include "engine/clock.hpp"

#include <httplib.h>

#include "sandbox/clm.hpp"
#include "sandbox/faults.hpp"
#include "sandbox/record_store.hpp"

namespace covenant::sandbox {

class Sandbox {
 public:
  Sandbox(RecordStore& db, const engine::Clock& clock) : db_(db), clock_(clock), clm_(db, clock) {}
  void install(httplib::Server& http);
  Faults& faults() { return faults_; }
  const ClmSandbox& clm() const { return clm_; }

 private:
  void stripe_request(const httplib::Request& req, httplib::Response& res);
  void salesforce_request(const httplib::Request& req, httplib::Response& res);
  void netsuite_request(const httplib::Request& req, httplib::Response& res);
  // Counts the request and applies the fault rules; true when it answered already.
  bool injected(const httplib::Request& req, httplib::Response& res, bool salesforce);
  RecordStore& db_;
  const engine::Clock& clock_;
  Faults faults_;
  ClmSandbox clm_;
};

}  // namespace covenant::sandbox
