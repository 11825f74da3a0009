// covenant extract FILE            the terms of one contract (text), with evidence
// covenant extract --eval DIR      score the extractor on labelled contracts, as a table
#include "activities/extract/eval.hpp"
#include "activities/ingest/read_document.hpp"
#include "app/commands/commands.hpp"
#include "app/commands/output.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace covenant::app {
namespace {

struct Options {
  std::string file, eval_dir, format = "text", misses;
};

int run(const Options& o) {
  activities::extract::RuleExtractor x;
  if (!o.eval_dir.empty()) {
    auto r = activities::extract::evaluate(x, o.eval_dir);
    for (const auto& p : r.problems) std::cerr << "covenant extract: " << p << '\n';
    if (r.contracts == 0) {
      std::cerr << "covenant extract: no labelled contracts in " << o.eval_dir << '\n';
      return 1;
    }
    if (!o.misses.empty()) std::ofstream(o.misses) << r.misses.dump(2) << '\n';
    if (o.format == "json") {
      nlohmann::json out = {{"contracts", r.contracts}};
      for (const auto& [f, s] : r.fields)
        out["fields"][f] = {{"gold", s.gold},
                            {"answered", s.answered},
                            {"correct", s.correct},
                            {"evidence_hits", s.evidence_hits}};
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << activities::extract::table(r);
    }
    return 0;
  }
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << "covenant extract: cannot read " << o.file << '\n';
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  // Text or PDF, read the way ingest.contract reads it (offsets point into that text).
  auto doc = activities::ingest::read_document(ss.str(), "");
  if (!doc) {
    std::cerr << "covenant extract: " << o.file << ": " << doc.error() << '\n';
    return 1;
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

}  // namespace

void add_extract_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("extract", "Extract contract terms, or score the extractor");
  cmd->add_option("file", o->file, "A contract as plain text");
  cmd->add_option("--eval", o->eval_dir,
                  "Score against a directory of <id>.txt + <id>.labels.json");
  cmd->add_option("--misses", o->misses,
                  "With --eval: write every wrong or missing answer here (JSON)");
  cmd->add_option("--format", o->format, "Output format")->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, &exit_code] {
    if (o->file.empty() == o->eval_dir.empty()) {
      std::cerr << "covenant extract: give a FILE or --eval DIR\n";
      exit_code = 2;
      return;
    }
    exit_code = run(*o);
  });
}

}  // namespace covenant::app
