#include "engine/audit/checkpoint.hpp"

#include "engine/base64.hpp"
#include "engine/time_format.hpp"
#include "workflows/sha256.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

namespace covenant::engine::audit {
namespace {

using nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Pkey read_private(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PrivateKey(b.get(), nullptr, nullptr, nullptr));
}

Pkey read_public(const std::string& pem) {
  std::unique_ptr<BIO, BioFree> b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Pkey(PEM_read_bio_PUBKEY(b.get(), nullptr, nullptr, nullptr));
}

std::string write_public(EVP_PKEY* k) {
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  PEM_write_bio_PUBKEY(b.get(), k);
  return bio_text(b.get());
}

}  // namespace

tl::expected<KeyPair, std::string> generate_ed25519() {
  Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!k) return tl::unexpected(std::string("cannot generate an Ed25519 key"));
  std::unique_ptr<BIO, BioFree> b(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(b.get(), k.get(), nullptr, nullptr, 0, nullptr, nullptr))
    return tl::unexpected(std::string("cannot write the private key"));
  return KeyPair{bio_text(b.get()), write_public(k.get())};
}

tl::expected<std::string, std::string> public_pem_of(const std::string& private_pem) {
  Pkey k = read_private(private_pem);
  if (!k || EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_ED25519)
    return tl::unexpected(std::string("not an Ed25519 private key in PEM"));
  return write_public(k.get());
}

tl::expected<std::string, std::string> sign(const std::string& private_pem,
                                            std::string_view message) {
  Pkey k = read_private(private_pem);
  if (!k || EVP_PKEY_get_base_id(k.get()) != EVP_PKEY_ED25519)
    return tl::unexpected(std::string("not an Ed25519 private key in PEM"));
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  auto msg = reinterpret_cast<const unsigned char*>(message.data());
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) != 1)
    return tl::unexpected(std::string("cannot sign"));
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, msg,
                     message.size()) != 1)
    return tl::unexpected(std::string("cannot sign"));
  sig.resize(len);
  return to_base64(sig);
}

bool signature_valid(const std::string& public_pem, std::string_view message,
                     const std::string& signature_b64) {
  Pkey k = read_public(public_pem);
  auto sig = from_base64(signature_b64);
  if (!k || !sig) return false;
  std::unique_ptr<EVP_MD_CTX, MdFree> ctx(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                          sig->size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string key_id(const std::string& public_pem) { return workflows::sha256_hex(public_pem); }

std::int64_t checkpoint_signed_at(const store::CheckpointRow& c) {
  auto start = parse_rfc3339(c.day);
  std::int64_t end = start ? to_micros(*start) + 86'400LL * 1'000'000 : 0;
  return std::max(end, c.created_us);
}

namespace {

const store::KeyRow* find_key(const std::vector<store::KeyRow>& keys, const std::string& pem) {
  for (const auto& k : keys)
    if (k.public_key == pem) return &k;
  return nullptr;
}

std::string when(std::int64_t us) { return format_rfc3339(from_micros(us)); }

}  // namespace

Result<store::KeyChange> rotate_checkpoint_key(store::Store& store, const std::string& ns,
                                               const std::string& private_pem, std::int64_t now_us,
                                               std::int64_t overlap_us, const std::string& actor) {
  auto pub = public_pem_of(private_pem);
  if (!pub) return fail(ErrorCode::InvalidArgument, "the signing key: " + pub.error());
  if (overlap_us < 0) return fail(ErrorCode::InvalidArgument, "an overlap is not negative");
  return store.keys.rotate(ns, store::kCheckpointKey, "", key_id(*pub), *pub, now_us, now_us,
                           now_us + overlap_us, actor);
}

Result<store::CheckpointRow> make_checkpoint(store::Store& store, const std::string& ns,
                                             const std::string& day, const std::string& private_pem,
                                             std::int64_t now_us, const std::string& actor) {
  if (auto bad = store::check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto start = parse_rfc3339(day);
  if (!start || day.size() != 10)
    return fail(ErrorCode::InvalidArgument, "a checkpoint's day is YYYY-MM-DD, not " + day);
  std::int64_t end_us = to_micros(*start) + 86'400LL * 1'000'000;
  if (end_us > now_us) return fail(ErrorCode::FailedPrecondition, day + " is not over yet (UTC)");
  auto pub = public_pem_of(private_pem);
  if (!pub) return fail(ErrorCode::InvalidArgument, "the signing key: " + pub.error());
  auto keys = store.keys.of(ns, store::kCheckpointKey, "");
  if (!keys) return tl::unexpected(keys.error());
  if (keys->empty()) {  // the first: it becomes the namespace's key, unless another just did
    auto added = store.keys.rotate(ns, store::kCheckpointKey, "", key_id(*pub), *pub, now_us,
                                   now_us, now_us, actor, true);
    if (!added) return tl::unexpected(added.error());
    if (added->current.public_key != *pub)
      return fail(ErrorCode::PermissionDenied,
                  "this key is not namespace '" + ns + "'s checkpoint key (the current one is " +
                      added->current.key_id.substr(0, 16) +
                      "…): rotate to it first (covenant audit keys rotate)");
  } else if (const auto* k = find_key(*keys, *pub); !k || !k->valid_at(now_us)) {
    std::string current;
    for (const auto& c : *keys)
      if (c.current()) current = c.key_id.substr(0, 16);
    return fail(ErrorCode::PermissionDenied,
                !k ? "this key is not namespace '" + ns + "'s checkpoint key (the current one is " +
                         current + "…): rotate to it first (covenant audit keys rotate)"
                   : "this key was namespace '" + ns + "'s checkpoint key until " +
                         when(k->valid_until_us) + " (rotated out; the current one is " + current +
                         "…)");
  }
  auto existing = store.audit.checkpoints(ns);
  if (!existing) return tl::unexpected(existing.error());
  std::string previous;
  const store::CheckpointRow* same_day = nullptr;
  for (const auto& c : *existing) {
    if (c.day < day) previous = c.digest;
    if (c.day == day) same_day = &c;
    if (c.day > day)
      return fail(ErrorCode::FailedPrecondition,
                  "checkpoints are made in order: " + c.day + " has one already");
  }
  auto heads = store.audit.heads_before(store::Scope::of(ns), end_us);
  if (!heads) return tl::unexpected(heads.error());
  json list = json::array();
  for (const auto& [id, seq, hash] : *heads) list.push_back(json::array({id, seq, hash}));
  json doc = {
      {"format", "covenant-checkpoint/1"},
      {"day", day},
      {"heads", std::move(list)},
      {"previous", same_day ? json::parse(same_day->document).value("previous", "") : previous}};
  // Another namespace's checkpoint says whose it is, in what is signed (the default
  // namespace's keep the form they had before namespaces).
  if (ns != store::kDefaultNamespace) doc["namespace"] = ns;
  std::string text = doc.dump();
  std::string digest = workflows::sha256_hex(text);
  if (same_day) {
    if (same_day->digest == digest) return *same_day;
    return fail(ErrorCode::Conflict, "the history as of " + day +
                                         " differs from its signed checkpoint (digest " +
                                         same_day->digest.substr(0, 16) + "…)");
  }
  auto sig = sign(private_pem, text);
  if (!sig) return fail(ErrorCode::Internal, sig.error());
  store::CheckpointRow row{day, text, digest, *sig, *pub, now_us, ns};
  if (auto r = store.audit.add_checkpoint(row); !r) return tl::unexpected(r.error());
  return row;
}

Result<std::vector<CheckpointProblem>> check_checkpoints(
    store::Store& store, const std::string& ns,
    const std::vector<store::CheckpointRow>& checkpoints,
    const std::vector<std::string>& trusted_public_pems) {
  if (auto bad = store::check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto keys = store.keys.of(ns, store::kCheckpointKey, "");
  if (!keys) return tl::unexpected(keys.error());
  std::vector<std::string> trusted = trusted_public_pems;
  if (trusted.empty())
    for (const auto& k : *keys) trusted.push_back(k.public_key);
  std::vector<CheckpointProblem> out;
  std::string previous;
  for (const auto& c : checkpoints) {
    auto problem = [&](std::string reason, std::string id = "", std::int64_t seq = 0) {
      out.push_back({c.day, std::move(id), seq, std::move(reason)});
    };
    if (workflows::sha256_hex(c.document) != c.digest) {
      problem("the document does not match its digest");
      continue;
    }
    const std::string* by = nullptr;
    for (const auto& t : trusted)
      if (signature_valid(t, c.document, c.signature)) by = &t;
    if (!by) {
      problem("the signature does not verify with a trusted key");
      previous = c.digest;  // the chain goes on through it
      continue;
    }
    // Which of the namespace's keys signed it, and whether that key was its key then. The
    // trusted PEM may be written differently from the stored one: compare as keys.
    const store::KeyRow* k = nullptr;
    for (const auto& r : *keys)
      if (signature_valid(r.public_key, c.document, c.signature)) k = &r;
    if (!k) {
      problem("signed with a key that was never namespace '" + ns + "'s checkpoint key");
      previous = c.digest;  // the chain goes on through it
      continue;
    }
    if (!k->valid_at(checkpoint_signed_at(c))) {
      problem("signed with key " + k->key_id.substr(0, 16) + "… after it was rotated out (it " +
              "counted until " + when(k->valid_until_us) + ")");
      previous = c.digest;  // the chain goes on through it
      continue;
    }
    json doc = json::parse(c.document, nullptr, false);
    if (doc.is_discarded() || doc.value("day", "") != c.day || !doc.contains("heads") ||
        doc.value("namespace", store::kDefaultNamespace) != ns) {
      problem("the document is not a checkpoint of this day and namespace");
      continue;
    }
    if (doc.value("previous", "") != previous)
      problem("the chain of checkpoints is broken before this day (one removed or replaced)");
    previous = c.digest;
    for (const auto& h : doc["heads"]) {
      std::string id = h.at(0);
      std::int64_t seq = h.at(1);
      auto now = store.audit.event_hash_at(store::Scope::of(ns), id, seq);
      if (!now) return tl::unexpected(now.error());
      if (!*now)
        problem("event " + std::to_string(seq) + " is gone", id, seq);
      else if (**now != h.at(2).get<std::string>())
        problem("event " + std::to_string(seq) +
                    " no longer has the hash signed that day (the history was rewritten)",
                id, seq);
    }
  }
  return out;
}

json checkpoint_json(const store::CheckpointRow& c) {
  return {{"day", c.day},
          {"document", c.document},
          {"digest", c.digest},
          {"signature", c.signature},
          {"public_key", c.public_key},
          {"created_us", c.created_us}};
}

tl::expected<store::CheckpointRow, std::string> checkpoint_from_json(const json& j) {
  store::CheckpointRow c;
  for (const char* k : {"day", "document", "digest", "signature", "public_key"})
    if (!j.is_object() || !j.contains(k) || !j[k].is_string())
      return tl::unexpected(std::string("a checkpoint needs '") + k + "'");
  c.day = j["day"];
  c.document = j["document"];
  c.digest = j["digest"];
  c.signature = j["signature"];
  c.public_key = j["public_key"];
  if (j.contains("created_us")) {
    if (!j["created_us"].is_number_integer() || j["created_us"].get<std::int64_t>() < 0)
      return tl::unexpected(std::string("a checkpoint's 'created_us' is a whole number"));
    c.created_us = j["created_us"];
  }
  return c;
}

}  // namespace covenant::engine::audit
