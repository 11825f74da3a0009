// Contracts (store.contracts): the book of contracts.
#include "engine/store/contracts.hpp"

#include "engine/store/store.hpp"
#include "workflows/sha256.hpp"

#include <cctype>

namespace covenant::engine::store {
namespace {

constexpr const char* kContractColumns =
    "contract_id, kind, parent_id, title, title_key, agreement_date, customer, version, state, "
    "state_sha256, instance_id, recorded_us, updated_us";
constexpr const char* kAddContract =
    "INSERT INTO contracts (namespace, contract_id, kind, parent_id, title, title_key, "
    "agreement_date, customer, version, state, state_sha256, instance_id, recorded_us, "
    "updated_us) VALUES (:ns, :c, :k, :p, :t, :tk, :d, :cu, :v, :s, :h, :i, :r, :u)";
constexpr const char* kSettle =
    "UPDATE contracts SET state = :s, state_sha256 = :h, updated_us = :u WHERE namespace = :ns "
    "AND contract_id = :c AND version = :v AND state_sha256 = :old";
constexpr const char* kMoveParent =
    "UPDATE contracts SET version = :v, state = :s, state_sha256 = :h, updated_us = :u WHERE "
    "namespace = :ns AND contract_id = :c AND version = :based";

const std::vector<std::string>& kinds() {
  static const std::vector<std::string> k = {"agreement", "msa", "sow", "order_form", "amendment"};
  return k;
}

bool known_kind(const std::string& k) {
  for (const auto& x : kinds())
    if (x == k) return true;
  return false;
}

struct RowReader {
  ContractRow row;
  std::string h;
  long long version = 0, recorded = 0, updated = 0;
  soci::indicator parent_i = soci::i_ok, date_i = soci::i_ok, customer_i = soci::i_ok;

  void bind(soci::statement& st) {
    st.exchange(soci::into(row.contract_id));
    st.exchange(soci::into(row.kind));
    st.exchange(soci::into(row.parent_id, parent_i));
    st.exchange(soci::into(row.title));
    st.exchange(soci::into(row.title_key));
    st.exchange(soci::into(row.agreement_date, date_i));
    st.exchange(soci::into(row.customer, customer_i));
    st.exchange(soci::into(version));
    st.exchange(soci::into(row.state));
    st.exchange(soci::into(h));
    st.exchange(soci::into(row.instance_id));
    st.exchange(soci::into(recorded));
    st.exchange(soci::into(updated));
  }
  ContractRow take() {
    ContractRow r = row;
    if (parent_i != soci::i_ok) r.parent_id.clear();
    if (date_i != soci::i_ok) r.agreement_date.clear();
    if (customer_i != soci::i_ok) r.customer.clear();
    r.version = version;
    r.state_sha256 = h;
    r.recorded_us = recorded;
    r.updated_us = updated;
    return r;
  }
};

std::optional<ContractRow> read_one(Tx& tx, const std::string& ns, const std::string& id) {
  RowReader rr;
  soci::statement st(tx.sql());
  std::string q = std::string("SELECT ") + kContractColumns +
                  " FROM contracts WHERE namespace = :ns AND contract_id = :c";
  st.alloc();
  st.prepare(q);
  st.exchange(soci::use(ns));
  st.exchange(soci::use(id));
  rr.bind(st);
  st.define_and_bind();
  if (!st.execute(true)) return std::nullopt;
  return rr.take();
}

Result<void> check_row(const std::string& ns, const ContractRow& row) {
  if (auto bad = check_namespace(ns); !bad) return bad;
  if (row.contract_id.empty() || row.contract_id.size() > 200)
    return fail(ErrorCode::InvalidArgument, "a contract id is 1 to 200 characters");
  if (!known_kind(row.kind))
    return fail(ErrorCode::InvalidArgument, "not a kind of contract: '" + row.kind + "'");
  if (row.state.empty()) return fail(ErrorCode::InvalidArgument, "a contract needs its state");
  if (row.index)
    if (auto bad = BookViews::check(*row.index); !bad) return bad;
  return {};
}

// The views' index of contract `row` (when given), in the book's transaction: what the book
// row says of it (kind, customer, date) with the figures the caller computed.
Result<void> index_of(Store& db, Tx& tx, const std::string& ns, const ContractRow& row,
                      const std::optional<ContractIndex>& index) {
  if (!index) return {};
  ContractIndex i = *index;
  i.contract_id = row.contract_id;
  i.kind = row.kind;
  i.customer = row.customer;
  i.signed_on = row.agreement_date;
  return db.views.index(tx, ns, i);
}

void insert(Tx& tx, const std::string& ns, const ContractRow& row, const std::string& h,
            std::int64_t now_us) {
  long long v = row.version, at = now_us;
  soci::indicator pi = row.parent_id.empty() ? soci::i_null : soci::i_ok,
                  di = row.agreement_date.empty() ? soci::i_null : soci::i_ok,
                  ci = row.customer.empty() ? soci::i_null : soci::i_ok;
  tx.sql() << kAddContract, soci::use(ns), soci::use(row.contract_id), soci::use(row.kind),
      soci::use(row.parent_id, pi), soci::use(row.title), soci::use(row.title_key),
      soci::use(row.agreement_date, di), soci::use(row.customer, ci), soci::use(v),
      soci::use(row.state), soci::use(h), soci::use(row.instance_id), soci::use(at), soci::use(at);
}

// The row as stored, when it is `row` again (a retried step); else Conflict.
Result<ContractRow> repeat_of(const ContractRow& stored, const ContractRow& row,
                              const std::string& h) {
  if (stored.kind == row.kind && stored.parent_id == row.parent_id &&
      workflows::sha256_hex(stored.state) == h) {
    ContractRow out = stored;
    out.repeated = true;
    return out;
  }
  return fail(ErrorCode::Conflict,
              "contract " + row.contract_id + " is in the book already (" + stored.kind +
                  ", version " + std::to_string(stored.version) +
                  ") with another state: a contract id names one contract",
              "contract");
}

}  // namespace

// One write of the book, in its own transaction: a body that meets another writer's commit
// (a unique violation, or a serialization failure at commit) runs again on what that writer
// left, up to three times; a Conflict the body itself says ("contract") is the answer.
Result<ContractRow> Contracts::write_once(const std::string& ns, const char* what,
                                          const std::function<Result<ContractRow>(Tx&)>& body) {
  for (int attempt = 1;; ++attempt) {
    auto tx = db_.begin(Scope::of(ns));
    if (!tx) return tl::unexpected(tx.error());
    auto r = db_.guard<ContractRow>(what, [&]() -> Result<ContractRow> { return body(**tx); });
    if (!r) {
      if (r.error().code == ErrorCode::Conflict && r.error().where != "contract" && attempt < 3)
        continue;
      return r;
    }
    if (r->repeated) return r;
    if (auto c = (*tx)->commit(); !c) {
      if (c.error().code == ErrorCode::Conflict && attempt < 3) continue;
      return tl::unexpected(c.error());
    }
    return r;
  }
}

Result<ContractRow> Contracts::record(const std::string& ns, const ContractRow& row,
                                      std::int64_t now_us) {
  if (auto bad = check_row(ns, row); !bad) return tl::unexpected(bad.error());
  if (row.kind == "amendment")
    return fail(ErrorCode::InvalidArgument, "an amendment is recorded with its parent (amend)");
  std::string h = workflows::sha256_hex(row.state);
  return write_once(ns, "record a contract", [&](Tx& tx) -> Result<ContractRow> {
    if (auto stored = read_one(tx, ns, row.contract_id)) return repeat_of(*stored, row, h);
    if (!row.parent_id.empty() && !read_one(tx, ns, row.parent_id))
      return fail(ErrorCode::NotFound,
                  "contract " + row.contract_id + " names parent " + row.parent_id +
                      ", which is not in the book",
                  "contract");
    ContractRow out = row;
    out.version = 1;
    insert(tx, ns, out, h, now_us);
    if (auto ix = index_of(db_, tx, ns, row, row.index); !ix) return tl::unexpected(ix.error());
    out.recorded_us = out.updated_us = now_us;
    return out;
  });
}

Result<std::size_t> Contracts::record_many(const std::string& ns,
                                           const std::vector<ContractRow>& rows,
                                           std::int64_t now_us) {
  for (const auto& row : rows) {
    if (auto bad = check_row(ns, row); !bad) return tl::unexpected(bad.error());
    if (row.kind == "amendment" || !row.parent_id.empty())
      return fail(ErrorCode::InvalidArgument,
                  "contract " + row.contract_id + ": amendments and SOWs are recorded one by one");
  }
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<std::size_t>("record contracts", [&]() -> Result<std::size_t> {
    std::size_t added = 0;
    for (const auto& row : rows) {
      if (read_one(**tx, ns, row.contract_id)) continue;
      ContractRow out = row;
      out.version = 1;
      insert(**tx, ns, out, workflows::sha256_hex(row.state), now_us);
      if (auto ix = index_of(db_, **tx, ns, row, row.index); !ix) return tl::unexpected(ix.error());
      ++added;
    }
    return added;
  });
  if (!r) return r;
  if (auto c = (*tx)->commit(); !c) return tl::unexpected(c.error());
  return r;
}

Result<ContractRow> Contracts::amend(const std::string& ns, const ContractRow& a,
                                     std::int64_t based_on, const std::string& parent_state,
                                     std::int64_t now_us,
                                     const std::optional<ContractIndex>& parent_index) {
  if (auto bad = check_row(ns, a); !bad) return tl::unexpected(bad.error());
  if (parent_index)
    if (auto bad = BookViews::check(*parent_index); !bad) return tl::unexpected(bad.error());
  if (a.kind != "amendment" || a.parent_id.empty())
    return fail(ErrorCode::InvalidArgument, "an amendment names the contract it amends");
  if (parent_state.empty())
    return fail(ErrorCode::InvalidArgument, "an amendment gives its parent's new state");
  std::string h = workflows::sha256_hex(a.state), ph = workflows::sha256_hex(parent_state);
  return write_once(ns, "record an amendment", [&](Tx& tx) -> Result<ContractRow> {
    if (auto stored = read_one(tx, ns, a.contract_id)) return repeat_of(*stored, a, h);
    auto parent = read_one(tx, ns, a.parent_id);
    if (!parent)
      return fail(
          ErrorCode::NotFound,
          "amendment " + a.contract_id + " amends " + a.parent_id + ", which is not in the book",
          "contract");
    if (parent->kind == "amendment")
      return fail(ErrorCode::InvalidArgument,
                  a.parent_id + " is itself an amendment: amend the agreement it amends");
    if (parent->version != based_on)
      return fail(ErrorCode::Conflict,
                  "contract " + a.parent_id + " is at version " + std::to_string(parent->version) +
                      ", not " + std::to_string(based_on) + " as amendment " + a.contract_id +
                      " was computed from: compute it again from the agreement as it stands",
                  "contract");
    long long v = based_on + 1, at = now_us, based = based_on;
    soci::statement st =
        (tx.sql().prepare << kMoveParent, soci::use(v), soci::use(parent_state), soci::use(ph),
         soci::use(at), soci::use(ns), soci::use(a.parent_id), soci::use(based));
    st.execute(true);
    if (st.get_affected_rows() != 1)
      return fail(ErrorCode::Conflict,
                  "contract " + a.parent_id + " moved while amendment " + a.contract_id +
                      " was recorded: compute it again",
                  "contract");
    ContractRow out = a;
    out.version = v;  // the parent's version this amendment made
    insert(tx, ns, out, h, now_us);
    if (auto ix = index_of(db_, tx, ns, a, a.index); !ix) return tl::unexpected(ix.error());
    if (auto ix = index_of(db_, tx, ns, *parent, parent_index); !ix)
      return tl::unexpected(ix.error());
    out.recorded_us = out.updated_us = now_us;
    return out;
  });
}

Result<void> Contracts::settle(const std::string& ns, const std::string& contract_id,
                               std::int64_t version, const std::string& state_sha256,
                               const std::string& state, std::int64_t now_us) {
  if (auto bad = check_namespace(ns); !bad) return bad;
  if (state.empty()) return fail(ErrorCode::InvalidArgument, "a contract needs its state");
  std::string h = workflows::sha256_hex(state);
  auto tx = db_.begin(Scope::of(ns));
  if (!tx) return tl::unexpected(tx.error());
  auto r = db_.guard<bool>("settle a contract", [&]() -> Result<bool> {
    long long v = version, at = now_us;
    soci::statement st =
        ((*tx)->sql().prepare << kSettle, soci::use(state), soci::use(h), soci::use(at),
         soci::use(ns), soci::use(contract_id), soci::use(v), soci::use(state_sha256));
    st.execute(true);
    if (st.get_affected_rows() != 1) {
      if (!read_one(**tx, ns, contract_id))
        return fail(ErrorCode::NotFound, "contract " + contract_id + " is not in the book",
                    "contract");
      return fail(ErrorCode::Conflict,
                  "contract " + contract_id + " changed since it was read (version " +
                      std::to_string(version) + "): read it again",
                  "contract");
    }
    return true;
  });
  if (!r) return tl::unexpected(r.error());
  return (*tx)->commit();
}

Result<std::optional<ContractRow>> Contracts::get(const std::string& ns,
                                                  const std::string& contract_id) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::optional<ContractRow>>(
      "read a contract",
      [&]() -> Result<std::optional<ContractRow>> { return read_one(**tx, ns, contract_id); });
}

Result<std::vector<ContractRow>> Contracts::titled(const std::string& ns,
                                                   const std::string& title_key, int limit) {
  if (auto bad = check_namespace(ns); !bad) return tl::unexpected(bad.error());
  for (char c : title_key)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == ' '))
      return fail(ErrorCode::InvalidArgument, "a title key is lower-case words and digits");
  auto tx = db_.begin(Scope::of(ns), false);
  if (!tx) return tl::unexpected(tx.error());
  return db_.guard<std::vector<ContractRow>>(
      "find contracts by title", [&]() -> Result<std::vector<ContractRow>> {
        std::vector<ContractRow> out;
        RowReader rr;
        int lim = limit;
        soci::statement st((*tx)->sql());
        std::string q = std::string("SELECT ") + kContractColumns +
                        " FROM contracts WHERE namespace = :ns AND (title_key = :t OR "
                        "title_key LIKE :p) ORDER BY recorded_us, contract_id LIMIT :lim";
        st.alloc();
        st.prepare(q);
        st.exchange(soci::use(ns));
        // Keys are lower-case letters, digits and single spaces: no LIKE wildcard among them.
        std::string prefix = title_key + " %";
        st.exchange(soci::use(title_key));
        st.exchange(soci::use(prefix));
        st.exchange(soci::use(lim));
        rr.bind(st);
        st.define_and_bind();
        if (st.execute(true)) {
          out.push_back(rr.take());
          while (st.fetch()) out.push_back(rr.take());
        }
        return out;
      });
}

}  // namespace covenant::engine::store
