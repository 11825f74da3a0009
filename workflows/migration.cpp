#include "workflows/migration.hpp"

#include "workflows/read_paths.hpp"
#include "workflows/validator.hpp"
#include "workflows/yaml_bounds.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace covenant::workflows {

using nlohmann::json;

namespace {

std::string at(const std::string& file, const YAML::Mark& m) {
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
}

json scalar_json(const YAML::Node& n) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (n.Tag() == "!") return s;  // quoted
    if (s == "true") return true;
    if (s == "false") return false;
    if (s == "null" || s == "~") return nullptr;
    try {
      std::size_t used = 0;
      long long v = std::stoll(s, &used);
      if (used == s.size()) return v;
    } catch (...) {
    }
    return s;
  }
  if (n.IsSequence()) {
    json a = json::array();
    for (const auto& x : n) a.push_back(scalar_json(x));
    return a;
  }
  if (n.IsMap()) {
    json o = json::object();
    for (const auto& kv : n) o[kv.first.as<std::string>()] = scalar_json(kv.second);
    return o;
  }
  return nullptr;
}

// The states of a canonical scope (and of the branches and iterators inside it), by name.
void collect(const json& scope, std::map<std::string, const json*>& out) {
  if (!scope.contains("states")) return;
  for (const auto& [name, st] : scope["states"].items()) {
    out[name] = &st;
    if (st.contains("branches") && st["branches"].is_array())
      for (const auto& b : st["branches"]) collect(b, out);
    if (st.contains("iterator") && st["iterator"].is_object()) collect(st["iterator"], out);
  }
}

bool rests(const std::string& type) {
  return type == "task" || type == "wait" || type == "approval" || type == "parallel" ||
         type == "map";
}

// A state with its transitions and timings left out: what it does with data and people.
json what_it_does(const json& st) {
  json s = st;
  for (const char* k : {"next", "end", "description", "catch", "on_reject", "on_changes_requested",
                        "on_timeout", "timeout", "retry", "branches", "iterator"})
    s.erase(k);
  return s;
}

}  // namespace

tl::expected<StateMap, std::vector<std::string>> parse_state_map(const std::string& text,
                                                                 const std::string& file) {
  std::vector<std::string> errors;
  if (auto crossed = check_yaml_bounds(text))
    return tl::unexpected(std::vector<std::string>{file + ":" + std::to_string(crossed->line) +
                                                   ":" + std::to_string(crossed->column) + ": " +
                                                   crossed->message});
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return tl::unexpected(std::vector<std::string>{at(file, e.mark) + "not valid YAML: " + e.msg});
  }
  if (!root.IsMap())
    return tl::unexpected(std::vector<std::string>{file + ": a state map is a YAML mapping"});
  StateMap m;
  auto str = [&](const char* key, std::string& into, bool required) {
    auto n = root[key];
    if (!n) {
      if (required) errors.push_back(file + ": '" + std::string(key) + "' is missing");
      return;
    }
    if (!n.IsScalar() || n.Scalar().empty()) {
      errors.push_back(at(file, n.Mark()) + "'" + key + "' must be a value");
      return;
    }
    into = n.Scalar();
  };
  std::string api, kind;
  str("apiVersion", api, true);
  str("kind", kind, true);
  if (!api.empty() && api != "covenant/v1")
    errors.push_back(file + ": apiVersion must be covenant/v1, not '" + api + "'");
  if (!kind.empty() && kind != "Migration")
    errors.push_back(file + ": kind must be Migration, not '" + kind + "'");
  str("workflow", m.workflow, true);
  str("from", m.from, true);
  str("to", m.to, true);
  for (const auto& kv : root) {
    std::string k = kv.first.as<std::string>();
    static const std::set<std::string> known = {"apiVersion", "kind",   "workflow", "from",
                                                "to",         "states", "set"};
    if (!known.count(k)) errors.push_back(at(file, kv.first.Mark()) + "unknown field '" + k + "'");
  }
  auto states = root["states"];
  if (!states || !states.IsMap() || states.size() == 0) {
    errors.push_back(file + ": 'states' must map each state of the old version to one of the new");
  } else {
    for (const auto& kv : states) {
      if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        errors.push_back(at(file, kv.second.Mark()) + "state '" + kv.first.as<std::string>() +
                         "' must map to one state's name");
        continue;
      }
      m.states[kv.first.as<std::string>()] = kv.second.Scalar();
    }
  }
  if (auto set = root["set"]) {
    if (!set.IsMap()) {
      errors.push_back(at(file, set.Mark()) + "'set' maps context paths (.region) to values");
    } else {
      for (const auto& kv : set) {
        std::string path = kv.first.as<std::string>();
        if (!plain_path(path) || path == ".")
          errors.push_back(at(file, kv.first.Mark()) + "'" + path +
                           "' is not a context path (write it as .region or .billing.terms)");
        else
          m.set[path] = scalar_json(kv.second);
      }
    }
  }
  if (!errors.empty()) return tl::unexpected(errors);
  return m;
}

MigrationCheck check_migration(const CompiledWorkflow& a, const CompiledWorkflow& b,
                               const StateMap& map) {
  MigrationCheck out;
  std::map<std::string, const json*> as, bs;
  collect(a.canonical(), as);
  collect(b.canonical(), bs);
  if (a.name() != b.name())
    out.errors.push_back("the versions are of two workflows ('" + a.name() + "', '" + b.name() +
                         "')");
  for (const auto& [from, to] : map.states) {
    if (!as.count(from)) out.errors.push_back("the old version has no state '" + from + "'");
    if (!bs.count(to))
      out.errors.push_back("state '" + from + "' maps to '" + to +
                           "', which the new version does not have");
  }
  auto written_a = certainly_written(a.definition());
  auto written_b = certainly_written(b.definition());
  std::vector<ReadPath> given;
  for (const auto& [path, value] : map.set.items())
    if (auto p = plain_path(path)) given.push_back(*p);
  for (const auto& [name, st] : as) {
    std::string type = st->value("type", "");
    if (!rests(type)) continue;
    auto to = map.states.find(name);
    if (to == map.states.end()) {
      out.errors.push_back("state '" + name + "' (" + type +
                           ") has no mapping: an instance resting there could not move");
      continue;
    }
    auto target = bs.find(to->second);
    if (target == bs.end()) continue;
    const json& t = *target->second;
    if (t.value("type", "") != type) {
      out.errors.push_back("state '" + name + "' is a " + type + ", '" + to->second +
                           "' in the new version a " + t.value("type", ""));
      continue;
    }
    if (type == "parallel" && st->contains("branches") && t.contains("branches") &&
        (*st)["branches"].size() != t["branches"].size())
      out.errors.push_back("parallel '" + name + "' has " +
                           std::to_string((*st)["branches"].size()) + " branches, '" + to->second +
                           "' " + std::to_string(t["branches"].size()));
    // What the new version holds certain at the target, the old one must hold at the source.
    auto& expects = out.expects[to->second];
    for (const auto& p : written_b[to->second]) {
      if (std::find(expects.begin(), expects.end(), p.text()) == expects.end())
        expects.push_back(p.text());
      auto covered = [&](const std::vector<ReadPath>& have) {
        return std::any_of(have.begin(), have.end(),
                           [&](const ReadPath& w) { return p.within(w); });
      };
      if (!covered(written_a[name]) && !covered(given))
        out.errors.push_back("the new version expects " + p.text() + " at '" + to->second +
                             "' (its states write it before), which the old version has not "
                             "certainly written at '" +
                             name + "': give it in set");
    }
    if (type == "approval" && what_it_does(*st) != what_it_does(t)) out.reopen.push_back(name);
  }
  // A financial activity whose step differs (or is new, or gone) in the new version: a grant
  // for it under the old version does not pay for a write under the new one.
  std::map<std::string, std::string> back;  // new state → old state
  for (const auto& [from, to] : map.states) back[to] = from;
  std::set<std::string> changed;
  auto financial = [](const json& st) { return st.value("financial", false); };
  for (const auto& [name, st] : bs) {
    if (st->value("type", "") != "task" || !financial(*st)) continue;
    auto from = back.find(name);
    const json* old =
        from == back.end() ? nullptr : (as.count(from->second) ? as[from->second] : nullptr);
    if (!old && as.count(name)) old = as[name];
    if (!old || what_it_does(*old) != what_it_does(*st)) changed.insert(st->value("activity", ""));
  }
  for (const auto& [name, st] : as) {
    if (st->value("type", "") != "task" || !financial(*st)) continue;
    auto to = map.states.find(name);
    std::string target = to == map.states.end() ? name : to->second;
    if (!bs.count(target) || what_it_does(*bs[target]) != what_it_does(*st))
      changed.insert(st->value("activity", ""));
  }
  out.changed_financial.assign(changed.begin(), changed.end());
  return out;
}

}  // namespace covenant::workflows
