// A gate's summary computed from its subject: figures typed, comparisons flagged, and every
// missing, failing or ill-typed value shown as a problem — never as a guess, null or text.
#include "workflows/summary.hpp"

#include "workflows/jq_program.hpp"

#include <catch2/catch.hpp>

using namespace covenant::workflows;
using nlohmann::json;

namespace {

Template t(json value) {
  Template out;
  out.value = std::move(value);
  return out;
}

SummaryFigure figure(std::string label, FigureType type, json value) {
  SummaryFigure f;
  f.label = std::move(label);
  f.type = type;
  f.value = t(std::move(value));
  return f;
}

SummaryFigure comparison(std::string label, FigureType type, json value, json against,
                         std::string against_label) {
  SummaryFigure f = figure(std::move(label), type, std::move(value));
  f.against = t(std::move(against));
  f.against_label = std::move(against_label);
  return f;
}

json usd(std::int64_t minor) { return {{"amount_minor", minor}, {"currency", "USD"}}; }

json summarize_on(const GateSummary& s, const json& subject,
                  const std::vector<std::string>& authorizes = {"billing.create_invoice"}) {
  JqEvaluator jq;
  return summarize(s, authorizes,
                   [&](const std::string& program) { return jq.evaluate(program, subject, {}); });
}

}  // namespace

TEST_CASE("A summary shows the subject's figures, typed, with the title first") {
  GateSummary s;
  s.title = t("${ \"Billing plan for \" + .customer.name }");
  s.figures = {figure("Total", FigureType::Money, "${ .total }"),
               figure("Starts", FigureType::Date, "${ .plan.start }"),
               figure("Term", FigureType::Duration, "${ .plan.term }"),
               figure("Uptime", FigureType::Percent, "${ .plan.uptime }"),
               figure("Terms", FigureType::Link, "/ui/audit.html?id=x")};
  s.figures[0].detail = t("${ .customer.id }");
  s.writes = {{"billing.create_invoice", t("${ .total }")}};
  json subject = {{"customer", {{"name", "Acme Corporation"}, {"id", "ACC-1001"}}},
                  {"total", usd(5220000)},
                  {"plan", {{"start", "2027-02-01"}, {"term", "P12M"}, {"uptime", "99.9"}}}};
  json out = summarize_on(s, subject, {"billing.create_invoice", "billing.finalize_invoice"});
  CHECK(out["title"] == "Billing plan for Acme Corporation");
  CHECK(
      out["figures"][0] ==
      json{{"label", "Total"}, {"type", "money"}, {"value", usd(5220000)}, {"detail", "ACC-1001"}});
  CHECK(out["figures"][1]["value"] == "2027-02-01");
  CHECK(out["figures"][2]["value"] == "P12M");
  CHECK(out["figures"][3]["value"] == "99.9");
  CHECK(out["figures"][4]["value"] == "/ui/audit.html?id=x");
  // Every authorized write is listed, with its amount when the summary declares one.
  CHECK(out["writes"] == json{{{"activity", "billing.create_invoice"}, {"amount", usd(5220000)}},
                              {{"activity", "billing.finalize_invoice"}}});
  CHECK(out["problems"].empty());
}

TEST_CASE("A comparison flags a difference, and cannot match on a missing side") {
  GateSummary s;
  s.title = t("Invoice");
  s.comparisons = {
      comparison("Total against the quote", FigureType::Money, "${ .total }",
                 "${ .quote.net_amount }", "CPQ quote"),
      comparison("Net days", FigureType::Number, "${ .net_days }", 30, "company standard"),
      comparison("Total against the opportunity", FigureType::Money, "${ .total }",
                 "${ .opportunity.amount }", "CRM opportunity"),
      comparison("Currency", FigureType::Money, "${ .total }", "${ .eur }", "EUR price")};
  json subject = {{"total", usd(5220000)},
                  {"quote", {{"net_amount", usd(5220000)}}},
                  {"net_days", 45},
                  {"opportunity", json::object()},
                  {"eur", {{"amount_minor", 5220000}, {"currency", "EUR"}}}};
  json out = summarize_on(s, subject);
  CHECK(out["comparisons"][0]["matches"] == true);
  CHECK(out["comparisons"][1]["matches"] == false);
  CHECK(out["comparisons"][1]["against"] == 30);
  // The opportunity has no amount: no verdict, and the reason, not "null" or a guess.
  CHECK(out["comparisons"][2]["matches"].is_null());
  CHECK(out["comparisons"][2]["problem"] == "CRM opportunity: missing");
  // Same number, another currency: a difference.
  CHECK(out["comparisons"][3]["matches"] == false);
  CHECK(out["problems"] ==
        json{"comparison 'Total against the opportunity': CRM opportunity: missing"});
}

TEST_CASE("A value that is missing, fails or is not its type is a problem, never shown") {
  GateSummary s;
  s.title = t("${ .customer.name }");  // missing: the title is empty and the problem is said
  s.figures = {figure("Total", FigureType::Money, "${ .total }"),
               figure("Starts", FigureType::Date, "${ .start }"),
               figure("Link", FigureType::Link, "${ .link }"),
               figure("Failing", FigureType::Number, "${ .items[0].x }"),
               figure("Blank", FigureType::Party, "${ .blank }"),
               figure("Uptime", FigureType::Percent, "${ .uptime }"),
               figure("Term", FigureType::Duration, "${ .term }")};
  json subject = {{"total", {{"amount_minor", 1.5}, {"currency", "USD"}}},
                  {"start", "2027-02-30"},
                  {"link", "javascript:alert(1)"},
                  {"items", "not a list"},
                  {"blank", "  "},
                  {"uptime", "ninety"},
                  {"term", "12 months"}};
  json out = summarize_on(s, subject);
  CHECK(out["title"] == "");
  for (const auto& f : out["figures"]) {
    INFO(f.dump());
    CHECK(f["value"].is_null());
    CHECK(f["problem"].is_string());
  }
  CHECK(out["figures"][2]["problem"].get<std::string>().find("not a link") == 0);
  CHECK(out["figures"][3]["problem"].get<std::string>().find("could not be computed") == 0);
  CHECK(out["problems"].size() == 8);
  CHECK(out["problems"][0] == "the title: missing");
}

TEST_CASE("Figure types are named and checked as documented") {
  CHECK(figure_type_names() == "money, date, duration, percent, party, link, text, number");
  CHECK(figure_type_from_string("percent") == FigureType::Percent);
  CHECK_FALSE(figure_type_from_string("currency"));
  CHECK(figure_value_problem(FigureType::Duration, "PT4H").empty());
  CHECK_FALSE(figure_value_problem(FigureType::Duration, "P").empty());
  CHECK_FALSE(figure_value_problem(FigureType::Duration, "PT").empty());
  CHECK(figure_value_problem(FigureType::Link, "https://example.com/a").empty());
  CHECK_FALSE(figure_value_problem(FigureType::Link, "//evil.example/").empty());
  CHECK_FALSE(figure_value_problem(FigureType::Link, "https://a b").empty());
  CHECK(figure_value_problem(FigureType::Percent, 12.5).empty());
  CHECK(figure_value_problem(FigureType::Number, -3).empty());
  CHECK_FALSE(figure_value_problem(FigureType::Number, "3").empty());
}
