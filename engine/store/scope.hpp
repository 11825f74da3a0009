// Scope: which namespace's rows a transaction reads. Every definition, instance, document,
// principal, delegation, approval, webhook and audit record belongs to one namespace
// (docs/tenancy.md); every store query that reads them carries its transaction's scope.
//   Scope::of("acme")  one namespace: what a tenant's caller (an API request, a CLI command on
//                      a namespace) opens; rows of other namespaces are not there for it.
//   Scope::all()       every namespace: the engine's own work (workers, timers, the notifier,
//                      sweeps, migrations, /metrics counts), which acts for all of them and
//                      writes each row in the namespace of the instance it belongs to.
// On PostgreSQL the scope is also the session's `covenant.namespace` setting, which the
// row-level security policies of migration 018 read: a second wall behind the queries.
#pragma once

#include "engine/error.hpp"

#include <string>
#include <string_view>

namespace covenant::engine::store {

// The namespace every deployment has; the API's routes without /v1/namespaces/{ns} use it.
inline constexpr const char* kDefaultNamespace = "default";

// A namespace's name: 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or a
// digit (safe in a URL path, a metric label and a PostgreSQL setting without quoting).
bool valid_namespace(std::string_view name);
// The same as an error where a name enters: InvalidArgument "not a namespace: '…'".
Result<void> check_namespace(const std::string& ns);

class Scope {
 public:
  // One namespace. Its name must be valid (std::invalid_argument otherwise: names are checked
  // where they enter, and a bad one here is a programming error).
  static Scope of(std::string ns);
  static Scope all() { return Scope("*"); }
  bool is_all() const { return ns_ == "*"; }
  // The namespace, or "*" for all of them (the value of PostgreSQL's covenant.namespace).
  const std::string& ns() const { return ns_; }
  // For queries: "(:all = 1 OR namespace = :ns)" binds all_flag() and ns().
  int all_flag() const { return is_all() ? 1 : 0; }
  // Whether rows of namespace `ns` are in this scope.
  bool covers(const std::string& ns) const { return is_all() || ns_ == ns; }
  bool operator==(const Scope& o) const = default;

 private:
  explicit Scope(std::string ns) : ns_(std::move(ns)) {}
  std::string ns_;
};

}  // namespace covenant::engine::store
