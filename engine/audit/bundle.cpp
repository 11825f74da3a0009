#include "engine/audit/bundle.hpp"

#include "engine/audit/checkpoint.hpp"
#include "engine/audit/verify.hpp"
#include "workflows/sha256.hpp"

namespace covenant::engine::audit {
namespace {

using nlohmann::json;

json event_json(const store::HistoryRow& r) {
  return {{"seq", r.seq},         {"type", r.type},           {"type_name", r.type_name},
          {"at_us", r.at_us},     {"frame", r.frame},         {"state", r.state},
          {"payload", r.payload}, {"prev_hash", r.prev_hash}, {"hash", r.hash}};
}

}  // namespace

Result<json> make_bundle(store::Store& store, const store::Scope& scope,
                         const std::string& instance_id, const std::string& private_pem) {
  auto inst = store.instances.get(scope, instance_id);
  if (!inst) return tl::unexpected(inst.error());
  if (!*inst) return fail(ErrorCode::NotFound, "no instance " + instance_id);
  const auto& i = **inst;
  auto def = store.definitions.get(i.ns, i.digest);
  if (!def) return tl::unexpected(def.error());
  json events = json::array();
  store::HistoryQuery q;
  q.instance_id = instance_id;
  q.by_instance = true;
  store::HistoryCursor cursor;
  for (;;) {
    auto page = store.audit.page(store::Scope::of(i.ns), q, cursor, 1000);
    if (!page) return tl::unexpected(page.error());
    for (const auto& r : *page) events.push_back(event_json(r));
    if (page->size() < 1000) break;
    cursor = {0, page->back().instance_id, page->back().seq};
  }
  json documents = json::array();
  auto versions = store.documents.versions(i.ns, i.business_key);
  if (!versions) return tl::unexpected(versions.error());
  for (const auto& v : *versions) {
    auto d = store.documents.get(i.ns, v.sha256);
    if (!d) return tl::unexpected(d.error());
    documents.push_back({{"contract", v.contract_id},
                         {"version", v.version},
                         {"sha256", v.sha256},
                         {"source", v.source},
                         {"media_type", *d ? (*d)->media_type : ""},
                         {"bytes", *d ? (*d)->bytes : 0}});
  }
  json checkpoints = json::array();
  auto cps = store.audit.checkpoints(i.ns);
  if (!cps) return tl::unexpected(cps.error());
  for (const auto& c : *cps)
    if (c.document.find("\"" + instance_id + "\"") != std::string::npos)
      checkpoints.push_back(checkpoint_json(c));
  // The namespace's checkpoint keys, under the bundle's signature: whoever trusts the bundle's
  // key learns from it which keys signed its checkpoints (across rotations) and when.
  json checkpoint_keys = json::array();
  auto keys = store.keys.of(i.ns, store::kCheckpointKey, "");
  if (!keys) return tl::unexpected(keys.error());
  for (const auto& k : *keys)
    checkpoint_keys.push_back({{"key_id", k.key_id},
                               {"public_key", k.public_key},
                               {"since_us", k.created_us},
                               {"valid_until_us", k.valid_until_us}});
  json bundle = {{"format", "covenant-audit-bundle/1"},
                 {"instance",
                  {{"id", i.id},
                   {"workflow", i.workflow},
                   {"business_key", i.business_key},
                   {"status", i.status},
                   {"started_by", i.started_by},
                   {"next_seq", i.next_seq},
                   {"last_hash", i.last_hash}}},
                 {"definition",
                  {{"name", def->name},
                   {"version", def->version},
                   {"digest", def->digest},
                   {"source", def->source},
                   {"canonical", def->canonical}}},
                 {"events", events},
                 {"documents", documents},
                 {"checkpoints", checkpoints},
                 {"checkpoint_keys", checkpoint_keys}};
  auto pub = public_pem_of(private_pem);
  if (!pub) return fail(ErrorCode::InvalidArgument, "the signing key: " + pub.error());
  auto sig = sign(private_pem, bundle.dump());
  if (!sig) return fail(ErrorCode::Internal, sig.error());
  bundle["signed"] = {{"public_key", *pub}, {"signature", *sig}};
  return bundle;
}

BundleCheck check_bundle(const json& bundle, const std::string& trusted_public_pem) {
  BundleCheck out;
  auto problem = [&](std::string p) { out.problems.push_back(std::move(p)); };
  if (!bundle.is_object() || bundle.value("format", "") != "covenant-audit-bundle/1") {
    problem("not a covenant audit bundle (format covenant-audit-bundle/1)");
    return out;
  }
  for (const char* k : {"instance", "definition", "events", "documents", "checkpoints", "signed"})
    if (!bundle.contains(k)) {
      problem(std::string("the bundle has no '") + k + "'");
      return out;
    }
  // The signature over everything else.
  json body = bundle;
  body.erase("signed");
  const json& s = bundle["signed"];
  std::string key = s.value("public_key", "");
  bool signature_ok = signature_valid(trusted_public_pem.empty() ? key : trusted_public_pem,
                                      body.dump(), s.value("signature", ""));
  out.signed_by_trusted_key = signature_ok && !trusted_public_pem.empty();
  if (!signature_ok)
    problem(trusted_public_pem.empty() ? "the bundle's signature does not verify"
                                       : "the bundle is not signed by the trusted key");
  // The definition's canonical form against its digest.
  const json& def = bundle["definition"];
  if (workflows::sha256_hex(def.value("canonical", "")) != def.value("digest", ""))
    problem("the definition's canonical form does not match its digest");
  // The chain.
  const json& inst = bundle["instance"];
  std::string id = inst.value("id", "");
  std::string prev;
  std::int64_t expected = 1;
  std::map<std::int64_t, std::string> hashes;
  for (const auto& e : bundle["events"]) {
    store::HistoryRow r;
    r.instance_id = id;
    r.seq = e.value("seq", std::int64_t{0});
    r.type = e.value("type", 0);
    r.type_name = e.value("type_name", "");
    r.at_us = e.value("at_us", std::int64_t{0});
    r.frame = e.value("frame", "");
    r.state = e.value("state", "");
    r.payload = e.value("payload", "");
    r.prev_hash = e.value("prev_hash", "");
    r.hash = e.value("hash", "");
    ++out.events;
    if (r.seq != expected) {
      problem("event " + std::to_string(expected) + " is missing or out of order");
      break;
    }
    if (r.prev_hash != prev) {
      problem("event " + std::to_string(r.seq) + ": its link to the previous event is broken");
      break;
    }
    auto h = row_hash(r);
    if (!h || *h != r.hash) {
      problem("event " + std::to_string(r.seq) + ": " +
              (h ? std::string("its content does not match its hash") : h.error()));
      break;
    }
    hashes[r.seq] = r.hash;
    prev = r.hash;
    ++expected;
  }
  if (out.problems.empty() &&
      (expected != inst.value("next_seq", std::int64_t{0}) || prev != inst.value("last_hash", "")))
    problem("the events end at " + std::to_string(expected - 1) +
            ", not where the instance's record of its chain ends");
  // Checkpoints: signed by the namespace's key of the time (the keys the bundle lists, under
  // its signature), and this instance's head in each is in the chain.
  std::optional<std::vector<store::KeyRow>> listed;
  if (bundle.contains("checkpoint_keys")) {
    listed.emplace();
    const json& ks = bundle["checkpoint_keys"];
    for (const auto& k : ks.is_array() ? ks : json::array()) {
      auto text = [&](const char* f) {
        return k.is_object() && k.contains(f) && k[f].is_string() ? k[f].get<std::string>() : "";
      };
      auto number = [&](const char* f) {
        return k.is_object() && k.contains(f) && k[f].is_number_integer() ? k[f].get<std::int64_t>()
                                                                          : std::int64_t{-1};
      };
      store::KeyRow row;
      row.public_key = text("public_key");
      row.created_us = number("since_us");
      row.valid_until_us = number("valid_until_us");
      if (row.public_key.empty() || row.created_us < 0 || row.valid_until_us < 0) {
        problem(
            "a checkpoint key the bundle lists is not one (public_key, since_us, "
            "valid_until_us)");
        continue;
      }
      row.retired_us = row.valid_until_us;  // 0: current
      listed->push_back(row);
    }
  }
  for (const auto& cj : bundle["checkpoints"]) {
    ++out.checkpoints;
    auto c = checkpoint_from_json(cj);
    if (!c) {
      problem("a checkpoint: " + c.error());
      continue;
    }
    bool verified = false;
    if (workflows::sha256_hex(c->document) == c->digest) {
      if (listed) {  // the namespace's keys the bundle names, each within its time
        for (const auto& k : *listed)
          verified |= k.valid_at(checkpoint_signed_at(*c)) &&
                      signature_valid(k.public_key, c->document, c->signature);
      } else {  // a bundle from before keys were listed: the trusted key signs both
        verified = signature_valid(trusted_public_pem.empty() ? c->public_key : trusted_public_pem,
                                   c->document, c->signature);
      }
    }
    if (!verified) {
      problem("checkpoint " + c->day + " does not verify");
      continue;
    }
    json doc = json::parse(c->document, nullptr, false);
    for (const auto& h : doc.value("heads", json::array()))
      if (h.at(0) == id && hashes[h.at(1).get<std::int64_t>()] != h.at(2).get<std::string>())
        problem("checkpoint " + c->day + " signed event " + h.at(1).dump() +
                " with another hash than the bundle's");
  }
  out.documents = static_cast<std::int64_t>(bundle["documents"].size());
  return out;
}

}  // namespace covenant::engine::audit
