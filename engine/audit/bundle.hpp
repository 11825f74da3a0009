// The audit bundle: one self-contained file per contract instance that a party without the
// database can check — the instance, the definition it ran (source, canonical form, digest),
// every event of its history chain, the evidence documents' digests, the signed checkpoints
// that cover it, and an Ed25519 signature over all of that.
//   {"format": "covenant-audit-bundle/1", "instance": …, "definition": …, "events": […],
//    "documents": […], "checkpoints": […], "signed": {"public_key", "signature"}}
// The signature is over the canonical JSON of the bundle without "signed".
#pragma once

#include "engine/store/store.hpp"

namespace covenant::engine::audit {

// NotFound when there is no such instance in `scope`. `private_pem` signs it (required).
Result<nlohmann::json> make_bundle(store::Store& store, const store::Scope& scope,
                                   const std::string& instance_id, const std::string& private_pem);

struct BundleCheck {
  std::int64_t events = 0, checkpoints = 0, documents = 0;
  std::vector<std::string> problems;  // empty: the bundle holds together
  bool signed_by_trusted_key = false;
};

// Offline: the chain recomputed from the bundle's events, the definition's canonical form
// against its digest, the bundle's signature (by `trusted_public_pem`, or by the key it
// carries when empty), each checkpoint's signature and its head for this instance.
BundleCheck check_bundle(const nlohmann::json& bundle, const std::string& trusted_public_pem);

}  // namespace covenant::engine::audit
