// workflows::compile — a valid Definition frozen into a CompiledWorkflow: immutable, with
// defaults filled in, durations in seconds, each task marked financial or not (from the
// catalog), and a canonical JSON rendering whose SHA-256 is the definition's identity.
// Comments, key order and formatting of the YAML do not change the identity; any change
// of meaning does. A CompiledWorkflow is immutable and safe to share between threads.
#pragma once

#include "workflows/activity_catalog.hpp"
#include "workflows/diagnostics.hpp"
#include "workflows/model.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>

namespace covenant::workflows {

// Version of the canonical form. Part of every digest: bump it only when the canonical
// rendering must change, knowing that every definition's identity changes with it.
inline constexpr int kCanonicalFormVersion = 1;

class CompiledWorkflow {
 public:
  CompiledWorkflow(Definition def, nlohmann::json canonical);

  const Definition& definition() const { return def_; }
  const std::string& name() const { return def_.name; }
  // The canonical JSON: sorted keys, no insignificant whitespace.
  const nlohmann::json& canonical() const { return canonical_; }
  const std::string& canonical_text() const { return text_; }
  // Lower-case hex SHA-256 of canonical_text().
  const std::string& digest() const { return digest_; }
  // The states that mark a handoff milestone: state name -> milestone (state names are
  // unique across a workflow, nested scopes included).
  const std::map<std::string, std::string>& milestones() const { return milestones_; }

 private:
  Definition def_;
  nlohmann::json canonical_;
  std::string text_;
  std::string digest_;
  std::map<std::string, std::string> milestones_;
};

struct CompileResult {
  std::shared_ptr<const CompiledWorkflow> workflow;  // null when there are errors
  Diagnostics diagnostics;                           // errors and warnings, sorted
};

// Loads, validates and compiles YAML text.
CompileResult compile(const std::string& yaml_text, const std::string& file,
                      const ActivityCatalog& catalog);
CompileResult compile_file(const std::string& path, const ActivityCatalog& catalog);

// The canonical JSON of a definition. REQUIRES: `def` passed validate() without errors.
nlohmann::json canonical_json(const Definition& def, const ActivityCatalog& catalog);

}  // namespace covenant::workflows
