// covenant extract FILE            the terms of one contract (text), with evidence
// covenant extract --eval DIR      score the extractor on labelled contracts, as a table
//   [--folds K]                     with cross-validated confidences
//   [--fit FILE]                    and write the calibration table fitted on all of them
//   [--diagrams DIR]                and a reliability diagram per field (SVG)
// covenant extract --document SHA [--db URL]
//   extracts a stored document again and shows what differs from its last recorded
//   extraction: provenance, and each field's value and confidence (exit 1 when any differs)
// covenant extract corrections export --out DIR [--db URL] [--workflow NAME] [--since TIME]
//   reviewers' corrections and confirmations as labelled contracts (<sha>.txt and
//   <sha>.labels.json), so `--eval DIR` scores the extractor on a team's own gold set
#include "activities/extract/compare.hpp"
#include "activities/extract/eval.hpp"
#include "activities/ingest/read_document.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"
#include "app/config.hpp"
#include "engine/audit/export.hpp"
#include "engine/store/store.hpp"
#include "engine/time_format.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace covenant::app {
namespace extract_command {

struct Options {
  std::string file, eval_dir, format = "text", misses, fit, diagrams, document, db;
  std::string ns = engine::store::kDefaultNamespace;  // with --document: whose document
  bool text = false;
  int folds = 0;
  double threshold = -1, target = 0.95;
};

namespace ex = activities::extract;

bool write_file(const std::filesystem::path& p, const std::string& body) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << body;
  out.close();
  if (!out) complain("extract") << "cannot write " << p.string();
  return static_cast<bool>(out);
}

// The calibration table fitted on every answer in `r`, with the threshold chosen from `r`'s
// cross-validated confidences and the cross-validated figures it was chosen on.
nlohmann::json fitted_table(ex::EvalReport& r, double target) {
  double t = ex::choose_threshold(r.answers, target);
  ex::accept_at(r, t);
  auto c = ex::Calibration::fit(ex::samples(r));
  nlohmann::json table = c.table();
  table["min_confidence"] = t;
  table["rules_version"] = ex::kRulesVersion;
  table["fitted_on"] = {{"contracts", r.contracts}, {"folds", r.folds}, {"target", target}};
  for (const auto& [f, s] : r.fields)
    table["cross_validation"][f] = {{"answered", s.answered},
                                    {"correct", s.correct},
                                    {"accepted", s.accepted},
                                    {"accepted_correct", s.accepted_correct}};
  return table;
}

// The last extract.terms result recorded for document `sha` (the ActivityCompleted whose
// result names it), with where it was recorded; null when none.
engine::Result<nlohmann::json> recorded_extraction(engine::store::Store& store,
                                                   const std::string& ns, const std::string& sha) {
  engine::store::HistoryQuery q;
  q.type_name = "ActivityCompleted";
  nlohmann::json found;
  auto read = engine::audit::each_history_row(
      store, engine::store::Scope::of(ns), q, [&](const engine::store::HistoryRow& row) {
        if (row.payload.find(sha) == std::string::npos) return;  // most rows: no parse
        auto e = nlohmann::json::parse(row.payload, nullptr, false);
        if (!e.is_object() || e.value("activity", "") != "extract.terms" || !e.contains("result") ||
            !e["result"].is_object() || e["result"].value("document", "") != sha)
          return;
        found = {{"result", e["result"]},
                 {"instance_id", row.instance_id},
                 {"seq", row.seq},
                 {"at", engine::format_rfc3339(engine::from_micros(row.at_us))}};
      });
  if (!read) return tl::unexpected(read.error());
  return found;
}

std::string shown(const nlohmann::json& v) { return v.is_null() ? "(none)" : v.dump(); }

// A stored document extracted again and compared with its last recorded extraction.
int extract_stored(const Options& o, const ex::Extractor& x) {
  auto store = engine::store::Store::open(o.db, 2);
  if (!store) return report(store.error());
  if (!engine::store::valid_namespace(o.ns)) {
    complain("extract") << "--namespace: '" << o.ns << "' is not a namespace";
    return 2;
  }
  auto doc = (*store)->documents.get(o.ns, o.document);
  if (!doc) return report(doc.error());
  if (!*doc) {
    complain("extract") << "no stored document " << o.document;
    return 2;
  }
  auto before = recorded_extraction(**store, o.ns, o.document);
  if (!before) return report(before.error());
  nlohmann::json now = {{"document", o.document},
                        {"fields", ex::to_json(x.extract((*doc)->text))},
                        {"provenance", x.provenance()}};
  nlohmann::json out = {{"document", o.document}, {"extraction", now}};
  bool differs = false;
  if (before->is_null()) {
    out["recorded"] = nullptr;
  } else {
    out["recorded"] = {{"instance_id", (*before)["instance_id"]},
                       {"seq", (*before)["seq"]},
                       {"at", (*before)["at"]}};
    out["difference"] = ex::compare_extractions((*before)["result"], now);
    differs = out["difference"]["provenance"]["changed"].get<bool>() ||
              !out["difference"]["fields"].empty();
  }
  if (o.format == "json") {
    std::cout << out.dump(2) << '\n';
    return differs ? 1 : 0;
  }
  if (before->is_null()) {
    std::cout << "No extraction of " << o.document << " is recorded; as extracted now:\n";
    for (const auto& [name, f] : now["fields"].items())
      std::cout << "  " << name << ": " << shown(f["value"]) << " (" << f["confidence"] << ")\n";
    return 0;
  }
  const auto& d = out["difference"];
  std::cout << "Compared with the extraction recorded in "
            << (*before)["instance_id"].get<std::string>() << " #" << (*before)["seq"] << " at "
            << (*before)["at"].get<std::string>() << ":\n";
  if (d["provenance"]["changed"].get<bool>())
    std::cout << "  provenance: " << shown(d["provenance"]["before"]) << "\n           -> "
              << shown(d["provenance"]["after"]) << '\n';
  else
    std::cout << "  provenance: the same\n";
  for (const auto& f : d["fields"])
    std::cout << "  " << f["field"].get<std::string>() << " (" << f["change"].get<std::string>()
              << "): " << shown(f["before"]) << " [" << shown(f["confidence_before"]) << "] -> "
              << shown(f["after"]) << " [" << shown(f["confidence_after"]) << "]\n";
  std::cout << "  " << d["same"] << " field(s) unchanged\n";
  return differs ? 1 : 0;
}

int run(const Options& o) {
  ex::RuleExtractor x;
  if (!o.eval_dir.empty()) {
    int folds = o.folds;
    if (!o.fit.empty() && folds < 2) folds = 5;
    auto r = ex::evaluate(x, o.eval_dir, {folds, o.threshold});
    for (const auto& p : r.problems) complain("extract") << p;
    if (r.contracts == 0) {
      complain("extract") << "no labelled contracts in " << o.eval_dir;
      return 1;
    }
    if (!o.fit.empty()) {
      auto table = fitted_table(r, o.target);
      if (o.threshold >= 0) ex::accept_at(r, o.threshold);
      if (!write_file(o.fit, table.dump(1) + "\n")) return 1;
    }
    if (!o.misses.empty() && !write_file(o.misses, r.misses.dump(2) + "\n")) return 1;
    if (!o.diagrams.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(o.diagrams, ec);
      for (const auto& f : ex::scored_fields())
        if (!write_file(std::filesystem::path(o.diagrams) / ("reliability-" + f + ".svg"),
                        ex::reliability_svg(r, f)))
          return 1;
    }
    if (o.format == "json") {
      nlohmann::json out = {{"contracts", r.contracts},
                            {"folds", r.folds},
                            {"threshold", r.threshold},
                            {"unusable_labels", r.unusable}};
      for (const auto& [f, s] : r.fields)
        out["fields"][f] = {{"gold", s.gold},         {"answered", s.answered},
                            {"correct", s.correct},   {"evidence_hits", s.evidence_hits},
                            {"accepted", s.accepted}, {"accepted_correct", s.accepted_correct},
                            {"unusable", s.unusable}};
      out["answers"] = nlohmann::json::array();
      for (const auto& a : r.answers)
        out["answers"].push_back({{"contract", a.contract},
                                  {"field", a.field},
                                  {"rule", a.rule},
                                  {"confidence", a.confidence},
                                  {"correct", a.correct},
                                  {"accepted", a.confidence >= r.threshold}});
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << ex::table(r);
      for (const auto& u : r.unusable) std::cout << "  not scored: " << u << '\n';
    }
    return 0;
  }
  if (!o.document.empty()) return extract_stored(o, x);
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    complain("extract") << "cannot read " << o.file;
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  // Text or PDF, read the way ingest.contract reads it (offsets point into that text).
  auto doc = activities::ingest::read_document(ss.str(), "");
  if (!doc) {
    complain("extract") << o.file << ": " << doc.error();
    return 1;
  }
  if (o.text) {
    std::cout << doc->text;
    return 0;
  }
  auto terms = x.extract(doc->text);
  if (o.format == "json") {
    std::cout << activities::extract::to_json(terms).dump(2) << '\n';
    return 0;
  }
  for (const auto& [field, t] : terms)
    std::cout << field << ": " << t.value.dump() << "  (confidence " << t.confidence << ", bytes "
              << t.evidence.start << "-" << t.evidence.end << ")\n    \"" << t.evidence.text
              << "\"\n";
  return 0;
}

struct ExportOptions {
  CommonOptions common;
  std::string out, workflow, since;
};

// The last review of each stored document (the EventReceived whose payload is a reviewed
// extract.terms result), written as <sha>.txt + <sha>.labels.json.
int export_corrections(const ExportOptions& o) {
  engine::store::HistoryQuery q;
  q.type_name = "EventReceived";
  if (!o.since.empty()) {
    auto t = engine::parse_rfc3339(o.since);
    if (!t) {
      complain("extract corrections export")
          << "--since '" << o.since << "' is not an RFC 3339 time (2027-01-31T00:00:00Z)";
      return 2;
    }
    q.from_us = engine::to_micros(*t);
  }
  auto store = engine::store::Store::open(o.common.db, 2);
  if (!store) return report(store.error());
  struct Review {
    nlohmann::json labels, source;
  };
  std::map<std::string, Review> last;  // by document
  auto read = engine::audit::each_history_row(
      **store, o.common.scope(), q, [&](const engine::store::HistoryRow& row) {
        if (!o.workflow.empty() && row.workflow != o.workflow) return;
        auto event = nlohmann::json::parse(row.payload, nullptr, false);
        if (!event.is_object() || !event.contains("payload")) return;
        const auto& terms = event["payload"];
        auto labels = ex::labels_from_review(terms);
        if (labels.empty() || !terms.contains("document") || !terms["document"].is_string()) return;
        last[terms["document"].get<std::string>()] = {
            labels,
            {{"instance_id", row.instance_id},
             {"workflow", row.workflow},
             {"business_key", row.business_key},
             {"event", event.value("event", "")},
             {"reviewed", terms["reviewed"]},
             {"provenance", terms.value("provenance", nlohmann::json())}}};
      });
  if (!read) return report(read.error());
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    complain("extract corrections export") << "cannot create " << o.out << ": " << ec.message();
    return 1;
  }
  int written = 0, corrected = 0, confirmed = 0, problems = 0;
  for (const auto& [sha, review] : last) {
    auto doc = (*store)->documents.get(o.common.ns, sha);
    if (!doc) return report(doc.error());
    if (!*doc) {
      complain("extract corrections export")
          << "document " << sha << " is not stored; its review ("
          << review.source["instance_id"].get<std::string>() << ") is left out\n";
      ++problems;
      continue;
    }
    nlohmann::json file = {{"schema", "covenant-labels/1"}, {"id", sha},
                           {"text_file", sha + ".txt"},     {"document_sha256", sha},
                           {"source", review.source},       {"labels", review.labels}};
    auto dir = std::filesystem::path(o.out);
    if (!write_file(dir / (sha + ".txt"), (*doc)->text) ||
        !write_file(dir / (sha + ".labels.json"), file.dump(2) + "\n"))
      return 1;
    ++written;
    for (const auto& [field, l] : review.labels.items())
      ++(l["how"] == "corrected" ? corrected : confirmed);
  }
  nlohmann::json summary = {{"documents", written},
                            {"corrected", corrected},
                            {"confirmed", confirmed},
                            {"left_out", problems},
                            {"out", o.out}};
  if (o.common.format == "json")
    std::cout << summary.dump() << '\n';
  else
    std::cout << written << " reviewed document(s): " << corrected << " corrected and " << confirmed
              << " confirmed value(s) in " << o.out
              << (problems ? " (" + std::to_string(problems) + " left out)" : std::string()) << "; "
              << "score with: covenant extract --eval " << o.out << '\n';
  return problems ? 1 : 0;
}

}  // namespace extract_command

void add_extract_command(CLI::App& app, int& exit_code) {
  using namespace extract_command;
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("extract", "Extract contract terms, or score the extractor");
  cmd->add_option("file", o->file, "A contract as plain text or PDF");
  cmd->add_option("--eval", o->eval_dir,
                  "Score against a directory of <id>.txt + <id>.labels.json");
  cmd->add_option("--misses", o->misses,
                  "With --eval: write every wrong or missing answer here (JSON)");
  cmd->add_option("--folds", o->folds,
                  "With --eval: cross-validate confidences over K folds of the contracts")
      ->check(CLI::Range(2, 100));
  cmd->add_option("--threshold", o->threshold,
                  "With --eval: count answers at or above this confidence as accepted "
                  "(default: the calibration's min_confidence)")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--fit", o->fit,
                  "With --eval: fit a calibration table on the contracts and write it here "
                  "(the threshold is chosen in cross-validation, --folds or 5)");
  cmd->add_option("--target", o->target,
                  "With --fit: the auto-accepted precision every field must reach")
      ->check(CLI::Range(0.5, 1.0));
  cmd->add_option("--diagrams", o->diagrams,
                  "With --eval: write a reliability diagram per field (SVG) into this directory");
  cmd->add_flag("--text", o->text,
                "Print the text as read (a PDF re-flowed), the text offsets point into");
  errors_follow_format(cmd, cmd->add_option("--format", o->format, "Output format")
                                ->check(CLI::IsMember({"text", "json"})));
  cmd->add_option("--document", o->document,
                  "Extract a stored document (by sha256) again and show what differs from its "
                  "last recorded extraction");
  o->db = default_database_url();
  cmd->add_option("--db", o->db,
                  "With --document: database URL, sqlite:PATH or postgresql://… (env COVENANT_DB)");
  cmd->add_option("--namespace", o->ns, "With --document: the namespace that holds it");
  auto* corrections = cmd->add_subcommand(
      "corrections", "Reviewers' corrections to extracted terms, as data to score against");
  corrections->require_subcommand(1);
  auto e = std::make_shared<ExportOptions>();
  auto* exp = corrections->add_subcommand(
      "export", "Write each reviewed document's text and its reviewed values as labels");
  exp->add_option("--out,-o", e->out, "The directory to write <sha>.txt + <sha>.labels.json into")
      ->required();
  exp->add_option("--workflow", e->workflow, "Only reviews in instances of this workflow");
  exp->add_option("--since", e->since, "Only reviews delivered at or after this time (RFC 3339)");
  add_common_options(exp, e->common);
  exp->callback([e, &exit_code] { exit_code = export_corrections(*e); });
  cmd->callback([o, cmd, &exit_code] {
    if (cmd->got_subcommand("corrections")) return;
    if ((!o->file.empty()) + (!o->eval_dir.empty()) + (!o->document.empty()) != 1) {
      complain("extract") << "give a FILE, --eval DIR or --document SHA";
      exit_code = 2;
      return;
    }
    exit_code = run(*o);
  });
}

}  // namespace covenant::app
