// The sandbox's Stripe: the subset of https://api.stripe.com/v1 that the billing adapter
// uses, with Stripe's resource shapes, ids by prefix, list objects, and error objects
// ({"error": {"type", "code", "param", "message"}}). Idempotency and faults are handled
// around it (sandbox.cpp). Pure over a RecordTx.
#pragma once

#include <nlohmann/json.hpp>

#include "sandbox/record_store.hpp"

namespace covenant::sandbox {

struct Answer {
  int status = 200;
  nlohmann::json body;
};

Answer stripe(const std::string& method, const std::string& path, const nlohmann::json& params,
              RecordTx& tx, std::int64_t now_s);

}  // namespace covenant::sandbox
