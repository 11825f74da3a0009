// Activity checks: every task, compensation and `authorizes` entry names an activity the
// catalog knows, and a task's input mapping matches the activity's declared input shape.
#include "workflows/expressions.hpp"
#include "workflows/validator.hpp"
#include "workflows/yaml_reader.hpp"

#include <algorithm>
#include <functional>

namespace covenant::workflows::detail {
namespace {

class ActivityChecks {
 public:
  ActivityChecks(const ActivityCatalog& catalog, Diagnostics& out) : catalog_(catalog), out_(out) {
    for (const auto* a : catalog.all()) names_.push_back(a->name);
  }

  void scope(const Scope& s) {
    for (const auto& st : s.states) state(st);
  }

 private:
  const ActivityInfo* known(const std::string& name, const SourceSpan& at,
                            const std::string& owner) {
    if (name.empty()) return nullptr;
    if (const auto* a = catalog_.find(name)) return a;
    std::string msg = owner + ": unknown activity '" + name + "'";
    if (auto m = closest_match(name, names_); !m.empty()) msg += " (did you mean '" + m + "'?)";
    out_.push_back({at, codes::kUnknownActivity, std::move(msg), Severity::Error});
    return nullptr;
  }

  void input(const ActivityInfo& a, const std::optional<Template>& t, const std::string& owner) {
    if (!t || !t->value.is_object()) return;  // an expression: its shape is known only at run time
    std::vector<std::string_view> declared;
    for (const auto& in : a.inputs) declared.push_back(in.name);
    for (const auto& [key, value] : t->value.items()) {
      bool ok = a.open_input || std::find(declared.begin(), declared.end(), key) != declared.end();
      if (ok) continue;
      std::string msg = owner + ": activity '" + a.name + "' takes no input '" + key + "'";
      if (auto m = closest_match(key, declared); !m.empty()) msg += " (did you mean '" + m + "'?)";
      auto at = t->key_spans.find(key);
      out_.push_back({at == t->key_spans.end() ? t->span : at->second, codes::kUnknownInput,
                      std::move(msg), Severity::Error});
    }
    for (const auto& in : a.inputs)
      if (in.required && !t->value.contains(in.name))
        out_.push_back({t->span, codes::kMissingInput,
                        owner + ": activity '" + a.name + "' needs input '" + in.name + "'",
                        Severity::Error});
    // A constant is checked now against what the activity accepts; an expression's value is
    // known only at run time (the system refuses it then).
    for (const auto& in : a.inputs) {
      auto v = t->value.find(in.name);
      if (v == t->value.end() || (v->is_string() && mentions_expression(v->get<std::string>())))
        continue;
      std::string why = constant_problem(in, *v);
      if (why.empty()) continue;
      auto at = t->key_spans.find(in.name);
      out_.push_back({at == t->key_spans.end() ? t->span : at->second, codes::kBadInputValue,
                      owner + ": input '" + in.name + "' of '" + a.name + "' " + why,
                      Severity::Error});
    }
  }

  static std::string constant_problem(const ActivityInput& in, const nlohmann::json& v) {
    if (!in.choices.empty()) {
      std::string list;
      for (const auto& c : in.choices) list += (list.empty() ? "" : ", ") + c;
      if (!v.is_string() ||
          std::find(in.choices.begin(), in.choices.end(), v.get<std::string>()) == in.choices.end())
        return "is " + v.dump() + "; it must be one of " + list;
      return "";
    }
    if (in.type == "integer" && !v.is_number_integer()) return "must be a whole number";
    if ((in.type == "string" || in.type == "id") && !v.is_string()) return "must be a string";
    if (in.type == "id" && v.get<std::string>().empty()) return "must not be empty";
    if (in.type == "list" && !v.is_array()) return "must be a list";
    if (in.type == "object" && !v.is_object()) return "must be an object";
    return "";
  }

  void state(const State& st) {
    if (st.opaque) return;
    std::string owner = "state '" + st.name + "'";
    if (const auto* t = std::get_if<TaskState>(&st.body)) {
      if (const auto* a = known(t->activity, t->activity_span, owner)) input(*a, t->input, owner);
      if (t->compensate)
        if (const auto* a = known(t->compensate->activity, t->compensate->activity_span,
                                  owner + ": compensate"))
          input(*a, t->compensate->input, owner + ": compensate");
    } else if (const auto* ap = std::get_if<ApprovalState>(&st.body)) {
      for (std::size_t i = 0; i < ap->authorizes.size(); ++i) {
        const auto* a = known(ap->authorizes[i], ap->authorizes_spans[i], owner + ": authorizes");
        if (a && !a->financial)
          out_.push_back(
              {ap->authorizes_spans[i], codes::kAuthorizesNonFinancial,
               owner + ": '" + a->name + "' is not a financial activity; it needs no approval",
               Severity::Warning});
      }
    } else if (const auto* p = std::get_if<ParallelState>(&st.body)) {
      for (const auto& b : p->branches) scope(b.scope);
    } else if (const auto* m = std::get_if<MapState>(&st.body)) {
      scope(m->iterator);
    }
  }

  const ActivityCatalog& catalog_;
  Diagnostics& out_;
  std::vector<std::string_view> names_;
};

}  // namespace

void check_activities(const Definition& def, const ActivityCatalog& catalog, Diagnostics& out) {
  ActivityChecks checks(catalog, out);
  checks.scope(def.root);
}

}  // namespace covenant::workflows::detail
