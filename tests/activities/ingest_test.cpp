// ingest.contract and extract.terms: text and PDF documents stored once by SHA-256 with
// versions per contract, bad documents refused with the reason and nothing stored, and terms
// under the confidence threshold (or missing) sent to review.
#include "activities/ingest/read_document.hpp"
#include "activities/own.hpp"
#include "tests/support/temp_dir.hpp"
#include "workflows/expressions.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

using namespace covenant::activities;
using nlohmann::json;

namespace {

// Evidence storage in memory, with the store's rules: bytes once by hash, a new version only
// when the document differs from the contract's current one.
class MemoryDocuments final : public DocumentStore {
 public:
  // Kept per namespace, as the store keeps them: (namespace, hash) and (namespace, contract).
  tl::expected<StoredDocument, StoreError> put(const std::string& ns, const StoredDocument& doc,
                                               std::string_view content,
                                               const std::string&) override {
    if (ns.empty()) return tl::unexpected(StoreError{"no namespace", false});
    std::lock_guard lock(mu_);
    docs_.emplace(ns + "/" + doc.sha256, doc);
    bytes_[ns + "/" + doc.sha256] = std::string(content);
    auto& versions = versions_[ns + "/" + doc.contract_id];
    StoredDocument out = doc;
    if (!versions.empty() && versions.back() == doc.sha256) {
      out.version = static_cast<int>(versions.size());
      out.added = false;
      return out;
    }
    versions.push_back(doc.sha256);
    out.version = static_cast<int>(versions.size());
    out.added = true;
    return out;
  }
  tl::expected<std::optional<StoredDocument>, StoreError> get(const std::string& ns,
                                                              const std::string& sha) override {
    std::lock_guard lock(mu_);
    auto it = docs_.find(ns + "/" + sha);
    if (it == docs_.end()) return std::optional<StoredDocument>();
    return std::optional<StoredDocument>(it->second);
  }
  std::size_t stored() const { return docs_.size(); }

 private:
  std::mutex mu_;
  std::map<std::string, StoredDocument> docs_;
  std::map<std::string, std::string> bytes_;
  std::map<std::string, std::vector<std::string>> versions_;
};

void write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

const std::filesystem::path kExamples = std::filesystem::path(COVENANT_SOURCE_DIR) / "examples";

}  // namespace

TEST_CASE(
    "A text contract is stored once by its SHA-256, with a new version only when it changes") {
  covenant::testing::TempDir dir;
  auto docs = std::make_shared<MemoryDocuments>();
  Systems s;
  s.ns = "default";
  s.documents = docs;
  s.documents_root = dir.path().string();
  write(dir.path() / "c.txt", "This Agreement is made as of January 5, 2027.\n");
  json in = {{"contract_id", "C-7"}, {"source", "file:c.txt"}};
  auto first = ingest_contract(s, in);
  REQUIRE(first.ok);
  CHECK(first.result["version"] == 1);
  CHECK(first.result["new_version"] == true);
  CHECK(first.result["media_type"] == "text/plain");
  CHECK(first.result["sha256"].get<std::string>().size() == 64);
  auto again = ingest_contract(s, in);
  REQUIRE(again.ok);
  CHECK(again.result["version"] == 1);
  CHECK(again.result["new_version"] == false);
  CHECK(again.result["sha256"] == first.result["sha256"]);
  write(dir.path() / "c.txt", "This Agreement is made as of January 6, 2027.\n");
  auto changed = ingest_contract(s, in);
  REQUIRE(changed.ok);
  CHECK(changed.result["version"] == 2);
  CHECK(changed.result["sha256"] != first.result["sha256"]);
  CHECK(docs->stored() == 2);
}

TEST_CASE("The PDF and the text of the example contract give the same billing terms") {
  auto docs = std::make_shared<MemoryDocuments>();
  Systems s;
  s.ns = "default";
  s.documents = docs;
  s.documents_root = kExamples.string();
  json from_pdf, from_text;
  for (const char* file : {"contracts/C-1042-acme.pdf", "contracts/C-1042-acme.txt"}) {
    auto doc =
        ingest_contract(s, {{"contract_id", "C-1042"}, {"source", std::string("file:") + file}});
    REQUIRE(doc.ok);
    auto terms = extract_terms(s, {{"document", doc.result}, {"min_confidence", 0.7}});
    REQUIRE(terms.ok);
    (std::string(file).ends_with(".pdf") ? from_pdf : from_text) = terms.result;
    if (std::string(file).ends_with(".pdf")) {
      CHECK(doc.result["media_type"] == "application/pdf");
      CHECK(doc.result["pages"] == 1);
    }
  }
  for (const char* f : {"effective_date", "expiration_date", "payment_terms", "billing_frequency",
                        "governing_law", "renewal_term", "notice_period_to_terminate_renewal"}) {
    INFO(f);
    CHECK(from_pdf[f] == from_text[f]);
  }
  REQUIRE(from_pdf["fees"].size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(from_pdf["fees"][i]["amount"] == from_text["fees"][i]["amount"]);
    CHECK(from_pdf["fees"][i]["frequency"] == from_text["fees"][i]["frequency"]);
  }
  CHECK(from_text["needs_review"] == false);
  // Evidence offsets point into the stored text.
  auto stored = docs->get("default", from_text["document"]);
  REQUIRE(stored);
  REQUIRE(*stored);
  const json& ev = from_text["fields"]["payment_terms"]["evidence"];
  CHECK((*stored)->text.substr(ev["start"], ev["end"].get<std::size_t>() -
                                                ev["start"].get<std::size_t>()) == ev["text"]);
}

TEST_CASE("Bad documents are refused with the reason, and nothing is stored") {
  covenant::testing::TempDir dir;
  auto docs = std::make_shared<MemoryDocuments>();
  Systems s;
  s.ns = "default";
  s.documents = docs;
  s.documents_root = dir.path().string();
  std::string pdf = read(kExamples / "contracts/C-1042-acme.pdf");
  write(dir.path() / "cut.pdf", pdf.substr(0, pdf.size() / 3));
  auto cut = ingest_contract(s, {{"contract_id", "C-1"}, {"source", "file:cut.pdf"}});
  CHECK_FALSE(cut.ok);
  CHECK(cut.code == "InvalidDocument");
  CHECK(cut.message.find("cut.pdf") != std::string::npos);
  write(dir.path() / "latin1.txt", "Caf\xE9 agreement");
  auto latin1 = ingest_contract(s, {{"contract_id", "C-1"}, {"source", "file:latin1.txt"}});
  CHECK(latin1.code == "InvalidDocument");
  CHECK(latin1.message.find("offset 3") != std::string::npos);
  auto escape = ingest_contract(s, {{"contract_id", "C-1"}, {"source", "file:../etc/passwd"}});
  CHECK(escape.code == "InvalidInput");
  auto absolute = ingest_contract(s, {{"contract_id", "C-1"}, {"source", "file:/etc/passwd"}});
  CHECK(absolute.code == "InvalidInput");
  auto missing = ingest_contract(s, {{"contract_id", "C-1"}, {"source", "file:nope.txt"}});
  CHECK(missing.code == "InvalidInput");
  auto no_id = ingest_contract(s, {{"source", {{"text", "hello"}}}});
  CHECK(no_id.code == "InvalidInput");
  auto fake = ingest_contract(
      s,
      {{"contract_id", "C-1"}, {"source", {{"text", "plain"}, {"media_type", "application/pdf"}}}});
  CHECK(fake.code == "InvalidDocument");
  CHECK(docs->stored() == 0);
  // Without a documents directory, file: sources are refused.
  Systems none;
  none.documents = docs;
  CHECK(ingest_contract(none, {{"contract_id", "C-1"}, {"source", "file:c.txt"}}).code ==
        "InvalidInput");
}

TEST_CASE("Terms under the threshold, and required terms that are missing, go to review") {
  auto docs = std::make_shared<MemoryDocuments>();
  Systems s;
  s.ns = "default";
  s.documents = docs;
  json source = {{"text",
                  "This Agreement is made as of May 1, 2027 by and between Acme Corporation "
                  "(\"Customer\") and Northwind Inc. (\"Provider\"). Customer shall pay each "
                  "invoice net 45."}};
  auto doc = ingest_contract(s, {{"contract_id", "C-2"}, {"source", source}});
  REQUIRE(doc.ok);
  auto strict = extract_terms(s, {{"document", doc.result}, {"min_confidence", 0.95}});
  REQUIRE(strict.ok);
  CHECK(strict.result["needs_review"] == true);
  CHECK(strict.result["payment_terms"]["net_days"] == 45);
  std::set<std::string> missing, low;
  for (const auto& r : strict.result["review"])
    (r["reason"] == "missing" ? missing : low).insert(r["field"].get<std::string>());
  CHECK(missing.count("fees"));
  CHECK(missing.count("expiration_date"));
  // Exactly the fields found under the threshold go to review, and some do.
  std::set<std::string> under;
  for (const auto& [field, term] : strict.result["fields"].items())
    if (term["confidence"].get<double>() < 0.95) under.insert(field);
  CHECK_FALSE(under.empty());
  CHECK(low == under);
  CHECK(low.count("payment_terms"));
  // With no threshold given, the extractor's own (the calibration's) applies.
  auto by_default = extract_terms(s, {{"document", doc.result}});
  REQUIRE(by_default.ok);
  CHECK(by_default.result["provenance"]["extractor"] == "rules");
  CHECK(by_default.result["provenance"]["calibration"].is_object());
  auto unknown = extract_terms(s, {{"document", {{"sha256", std::string(64, 'a')}}}});
  CHECK(unknown.code == "NotFound");
  CHECK(extract_terms(s, {{"document", doc.result}, {"min_confidence", 2}}).code == "InvalidInput");
}

TEST_CASE("UTF-8 is checked byte by byte") {
  const auto first_invalid_utf8 = covenant::workflows::invalid_utf8_at;
  CHECK(first_invalid_utf8("plain") == std::string_view::npos);
  CHECK(first_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC") == std::string_view::npos);
  CHECK(first_invalid_utf8("ab\xC3") == 2);         // cut short
  CHECK(first_invalid_utf8("\xC0\xAF") == 0);       // overlong
  CHECK(first_invalid_utf8("a\xE2\x28\xA1") == 1);  // bad continuation
}

TEST_CASE("An order form in JSON is stored as evidence and parsed, or refused with the reason") {
  covenant::testing::TempDir dir;
  auto docs = std::make_shared<MemoryDocuments>();
  Systems s;
  s.ns = "default";
  s.documents = docs;
  s.documents_root = dir.path().string();
  write(dir.path() / "of.json",
        R"({"contract_id": "C-3", "lines": [{"product": "seats", "quantity": 5}]})");
  auto form = ingest_order_form(s, {{"source", "file:of.json"}});
  REQUIRE(form.ok);
  CHECK(form.result["contract_id"] == "C-3");
  CHECK(form.result["media_type"] == "application/json");
  CHECK(form.result["order_form"]["lines"][0]["quantity"] == 5);
  write(dir.path() / "bad.json", R"({"lines": [)");
  auto bad = ingest_order_form(s, {{"source", "file:bad.json"}, {"contract_id", "C-3"}});
  CHECK(bad.code == "InvalidDocument");
  CHECK(bad.message.find("not valid JSON") != std::string::npos);
  write(dir.path() / "nolines.json", R"({"contract_id": "C-3"})");
  CHECK(ingest_order_form(s, {{"source", "file:nolines.json"}}).code == "InvalidDocument");
  CHECK(docs->stored() == 1);
}
