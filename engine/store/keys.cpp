// Keys (store.keys): signing keys per namespace and the namespace's own log.
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"

namespace covenant::engine::store {
namespace {

constexpr const char* kKeysOf =
    "SELECT owner, key_id, public_key, created_us, retired_us, valid_until_us FROM signing_keys "
    "WHERE namespace = :ns AND purpose = :p AND (:any = 1 OR owner = :o) "
    "ORDER BY owner, created_us, key_id";
constexpr const char* kRetireKey =
    "UPDATE signing_keys SET retired_us = :r, valid_until_us = :v WHERE namespace = :ns AND "
    "purpose = :p AND owner = :o AND key_id = :k AND retired_us = 0";
constexpr const char* kAddKey =
    "INSERT INTO signing_keys (namespace, purpose, owner, key_id, public_key, created_us, "
    "retired_us, valid_until_us) VALUES (:ns, :p, :o, :k, :pk, :c, 0, 0)";
constexpr const char* kNextEventSeq =
    "SELECT COALESCE(MAX(seq), 0) + 1 FROM namespace_events WHERE namespace = :ns";
constexpr const char* kAddEvent =
    "INSERT INTO namespace_events (namespace, seq, at_us, actor, kind, detail) "
    "VALUES (:ns, :s, :a, :ac, :k, :d)";
constexpr const char* kEvents =
    "SELECT seq, at_us, actor, kind, detail FROM namespace_events WHERE namespace = :ns AND "
    "seq > :after ORDER BY seq LIMIT :lim";

bool valid_purpose(const std::string& p) { return p == kCheckpointKey || p == kWebhookKey; }

// A key id is printable and short: a hex digest or a fingerprint.
bool valid_key_id(const std::string& k) {
  if (k.empty() || k.size() > 128) return false;
  for (char c : k)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != ':') return false;
  return true;
}

std::vector<KeyRow> read_keys(Tx& tx, const std::string& ns, const std::string& purpose,
                              const std::optional<std::string>& owner) {
  std::vector<KeyRow> out;
  KeyRow k;
  k.ns = ns;
  k.purpose = purpose;
  long long created = 0, retired = 0, until = 0;
  int any = owner ? 0 : 1;
  std::string o = owner.value_or("");
  soci::statement st =
      (tx.sql().prepare << kKeysOf, soci::use(ns), soci::use(purpose), soci::use(any), soci::use(o),
       soci::into(k.owner), soci::into(k.key_id), soci::into(k.public_key), soci::into(created),
       soci::into(retired), soci::into(until));
  st.execute();
  while (st.fetch()) {
    k.created_us = created;
    k.retired_us = retired;
    k.valid_until_us = until;
    out.push_back(k);
  }
  return out;
}

}  // namespace

std::int64_t append_namespace_event(Tx& tx, const std::string& ns, std::int64_t at_us,
                                    const std::string& actor, const std::string& kind,
                                    const std::string& detail) {
  long long seq = 0, at = at_us;
  tx.sql() << kNextEventSeq, soci::use(ns), soci::into(seq);
  tx.sql() << kAddEvent, soci::use(ns), soci::use(seq), soci::use(at), soci::use(actor),
      soci::use(kind), soci::use(detail);
  return seq;
}

Result<KeyChange> Keys::rotate(const std::string& ns, const std::string& purpose,
                               const std::string& owner, const std::string& key_id,
                               const std::string& public_key, std::int64_t since_us,
                               std::int64_t now_us, std::int64_t previous_valid_until_us,
                               const std::string& actor, bool first_only) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  if (!valid_purpose(purpose))
    return fail(ErrorCode::InvalidArgument, "not a kind of signing key: '" + purpose + "'");
  if (!valid_key_id(key_id))
    return fail(ErrorCode::InvalidArgument, "not a key id: '" + key_id + "'");
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<KeyChange>("rotate a signing key", [&]() -> Result<KeyChange> {
    KeyChange change;
    std::optional<KeyRow> current;
    for (auto& k : read_keys(**tx, ns, purpose, owner)) {
      bool same = k.key_id == key_id || (!public_key.empty() && k.public_key == public_key);
      if (same && k.current()) {
        change.current = k;
        return change;  // nothing to do
      }
      if (same)
        return fail(ErrorCode::FailedPrecondition,
                    "the " + purpose + " key " + k.key_id + " of namespace '" + ns +
                        "' was retired at " + format_rfc3339(from_micros(k.retired_us)) +
                        ": a retired key does not come back; make a new one");
      if (k.current()) current = k;
    }
    if (first_only && current) {
      change.current = *current;
      return change;  // the namespace has its key: a first use does not replace it
    }
    long long now = now_us, until = std::max(now_us, previous_valid_until_us);
    nlohmann::json detail = {{"purpose", purpose}, {"key_id", key_id}};
    if (!owner.empty()) detail["owner"] = owner;
    if (current) {
      (*tx)->sql() << kRetireKey, soci::use(now), soci::use(until), soci::use(ns),
          soci::use(purpose), soci::use(owner), soci::use(current->key_id);
      current->retired_us = now;
      current->valid_until_us = until;
      detail["previous_key_id"] = current->key_id;
      detail["previous_valid_until"] = format_rfc3339(from_micros(until));
      change.previous = current;
    }
    long long since = std::min(since_us, now_us);
    (*tx)->sql() << kAddKey, soci::use(ns), soci::use(purpose), soci::use(owner), soci::use(key_id),
        soci::use(public_key), soci::use(since);
    change.current = KeyRow{ns, purpose, owner, key_id, public_key, since, 0, 0};
    change.changed = true;
    change.event_seq = append_namespace_event(**tx, ns, now_us, actor,
                                              current ? "key.rotated" : "key.added", detail.dump());
    return change;
  });
  if (!r) return r;
  if (!r->changed) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<std::vector<KeyRow>> Keys::of(const std::string& ns, const std::string& purpose,
                                     const std::optional<std::string>& owner) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<KeyRow>>("read signing keys", [&]() -> Result<std::vector<KeyRow>> {
    return read_keys(**tx, ns, purpose, owner);
  });
}

Result<std::vector<NamespaceEvent>> Keys::events(const std::string& ns, std::int64_t after_seq,
                                                 int limit) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<NamespaceEvent>>(
      "read the namespace's log", [&]() -> Result<std::vector<NamespaceEvent>> {
        std::vector<NamespaceEvent> out;
        NamespaceEvent e;
        e.ns = ns;
        long long seq = 0, at = 0, after = after_seq;
        int lim = limit;
        soci::statement st = ((*tx)->sql().prepare << kEvents, soci::use(ns), soci::use(after),
                              soci::use(lim), soci::into(seq), soci::into(at), soci::into(e.actor),
                              soci::into(e.kind), soci::into(e.detail));
        st.execute();
        while (st.fetch()) {
          e.seq = seq;
          e.at_us = at;
          out.push_back(e);
        }
        return out;
      });
}

}  // namespace covenant::engine::store
