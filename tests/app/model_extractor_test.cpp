// The model-based extractor against an OpenAI-compatible endpoint on 127.0.0.1 (a test server
// that answers what each test sets): the request it sends, evidence from the model's quotes,
// voting with the rules, and failures sorted into retryable and not.
#include "activities/extract/model.hpp"
#include "activities/own.hpp"
#include "tests/support/listening.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>

#include <mutex>
#include <thread>

using namespace covenant::activities;
using namespace covenant::activities::extract;
using nlohmann::json;

namespace {

const std::string kModelContract =
    "This Agreement shall be governed by the laws of the State of Delaware. Customer shall pay "
    "each invoice net 30 days from the invoice date.";

struct Endpoint {
  httplib::Server http;
  std::thread thread;
  int port = 0;
  std::mutex mu;
  int status = 200;
  std::string content;  // the model's message content
  json last_request;
  std::string last_auth;

  Endpoint() {
    http.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      last_request = json::parse(req.body, nullptr, false);
      last_auth = req.get_header_value("Authorization");
      res.status = status;
      json body = {{"id", "chatcmpl-test"},
                   {"object", "chat.completion"},
                   {"choices",
                    {{{"index", 0},
                      {"message", {{"role", "assistant"}, {"content", content}}},
                      {"finish_reason", "stop"}}}}};
      res.set_content(status == 200 ? body.dump() : R"({"error": {"message": "overloaded"}})",
                      "application/json");
    });
    port = http.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);  // a failed bind fails the test
    thread = std::thread([this] { http.listen_after_bind(); });
    covenant::testing::wait_until_listening(http, thread);
  }
  ~Endpoint() {
    http.stop();
    thread.join();
  }
  void answer(json fields) {
    std::lock_guard lock(mu);
    content = json{{"fields", fields}}.dump();
  }
  std::shared_ptr<ModelExtractor> extractor() {
    covenant::adapters::http::Options o;
    o.system = "openai";
    o.base_url = "http://127.0.0.1:" + std::to_string(port);
    o.auth.kind = covenant::adapters::http::Auth::Kind::Bearer;
    o.auth.token = "sk-test-model-key";
    o.max_attempts = 2;
    covenant::adapters::http::Hooks h;
    h.sleep = [](std::chrono::milliseconds) {};
    h.random = [] { return 0.5; };
    h.now_ms = [] { return std::int64_t{0}; };
    return std::make_shared<ModelExtractor>(
        std::make_shared<covenant::adapters::http::Client>(o, h), "contract-reader-1");
  }
};

}  // namespace

TEST_CASE("The model extractor asks for JSON and finds its quotes in the text for evidence") {
  Endpoint ep;
  ep.answer({{"governing_law",
              {{"value", {{"jurisdiction", "Delaware"}, {"country", "United States"}}},
               {"quote", "governed by the laws of the State of Delaware"}}},
             {"payment_terms",
              {{"value", {{"net_days", 30}}},
               {"quote", "pay each invoice   net 30 days"}}},  // spacing differs from the text
             {"effective_date", {{"value", "2027-02-01"}, {"quote", "not in the contract"}}},
             {"agreement_date", {{"value", "February 1st"}, {"quote", "x"}}}});  // malformed
  auto terms = ep.extractor()->try_extract(kModelContract);
  REQUIRE(terms);
  CHECK(ep.last_request["model"] == "contract-reader-1");
  CHECK(ep.last_request["response_format"]["type"] == "json_object");
  CHECK(ep.last_request["messages"][1]["content"] == kModelContract);
  CHECK(ep.last_auth == "Bearer sk-test-model-key");
  REQUIRE(terms->count("governing_law"));
  const auto& law = terms->at("governing_law");
  CHECK(law.confidence == Approx(0.7));
  CHECK(kModelContract.substr(law.evidence.start, law.evidence.end - law.evidence.start) ==
        "governed by the laws of the State of Delaware");
  REQUIRE(terms->count("payment_terms"));
  CHECK(terms->at("payment_terms").evidence.text == "pay each invoice net 30 days");
  REQUIRE(terms->count("effective_date"));
  CHECK(terms->at("effective_date").confidence == Approx(0.3));  // no supporting text
  CHECK_FALSE(terms->count("agreement_date"));                   // not a date: dropped
}

TEST_CASE("Voting: agreement raises confidence, a dispute keeps the rules' value for review") {
  Endpoint ep;
  ep.answer({{"governing_law",
              {{"value", {{"jurisdiction", "Delaware"}, {"country", "United States"}}},
               {"quote", "governed by the laws of the State of Delaware"}}},
             {"payment_terms",
              {{"value", {{"net_days", 45}}}, {"quote", "pay each invoice net 30 days"}}}});
  VotingExtractor vote(std::make_shared<RuleExtractor>(), ep.extractor());
  auto rules = RuleExtractor().extract(kModelContract);
  auto terms = vote.try_extract(kModelContract);
  REQUIRE(terms);
  const auto& law = terms->at("governing_law");
  CHECK(law.source == "agreed");
  CHECK(law.confidence > rules.at("governing_law").confidence);
  const auto& pay = terms->at("payment_terms");
  CHECK(pay.source == "disputed");
  CHECK(pay.value["net_days"] == 30);
  CHECK(pay.alternative["net_days"] == 45);
  CHECK(pay.confidence <= 0.5);
  auto j = to_json(*terms);
  CHECK(j["payment_terms"]["alternative"]["net_days"] == 45);
}

TEST_CASE("Model failures are sorted: an unreachable endpoint is retried, a bad answer is not") {
  Endpoint ep;
  ep.status = 503;
  auto down = ep.extractor()->try_extract(kModelContract);
  REQUIRE_FALSE(down);
  CHECK(down.error().retryable);
  ep.status = 200;
  {
    std::lock_guard lock(ep.mu);
    ep.content = "Sure! Here are the terms: net 30.";
  }
  auto prose = ep.extractor()->try_extract(kModelContract);
  REQUIRE_FALSE(prose);
  CHECK_FALSE(prose.error().retryable);
  CHECK(prose.error().message.find("not the JSON object") != std::string::npos);

  // Through the activity: Unavailable (retryable) while the endpoint is down.
  struct OneDoc final : DocumentStore {
    tl::expected<StoredDocument, StoreError> put(const std::string&, const StoredDocument& d,
                                                 std::string_view, const std::string&) override {
      return d;
    }
    tl::expected<std::optional<StoredDocument>, StoreError> get(const std::string&,
                                                                const std::string&) override {
      StoredDocument d;
      d.text = kModelContract;
      return std::optional<StoredDocument>(d);
    }
  };
  Systems s;
  s.documents = std::make_shared<OneDoc>();
  s.extractor =
      std::make_shared<VotingExtractor>(std::make_shared<RuleExtractor>(), ep.extractor());
  ep.status = 503;
  auto r = extract_terms(s, {{"document", {{"sha256", std::string(64, 'a')}}}});
  CHECK(r.code == "Unavailable");
  CHECK(r.retryable);
}

TEST_CASE("No personal data reaches the model endpoint, and its answer is mapped back") {
  const std::string contract =
      "CONSULTING AGREEMENT\n"
      "This Agreement is made as of May 1, 2027 between Acme Corporation (\"Company\") and "
      "Jane Q. Doe, an individual residing at 1200 Harbor View Road, Oakland, CA 94612 "
      "(\"Consultant\"). Jane Q. Doe may be reached at jane.doe@mail.example or (510) 555-0142. "
      "Fees are paid to IBAN DE89 3704 0044 0532 0130 00. Consultant's tax id: 94-3219876.\n"
      "This Agreement shall be governed by the laws of the State of California.\n";
  Endpoint ep;
  auto person = contract.find("Jane Q. Doe");
  ep.answer({{"parties",
              {{"value",
                {{{"name", "Acme Corporation"}, {"aliases", {"Company"}}},
                 {{"name", "[person-1]"}, {"aliases", {"Consultant"}}}}},
               {"quote", "between Acme Corporation (\"Company\") and [person-1]_"}}},
             {"governing_law",
              {{"value", {{"jurisdiction", "California"}, {"country", "United States"}}},
               {"quote", "governed by the laws of the State of California"}}}});
  auto terms = ep.extractor()->try_extract(contract);
  REQUIRE(terms);
  std::string sent = ep.last_request["messages"][1]["content"];
  CHECK(sent.size() == contract.size());
  for (const char* secret :
       {"Jane", "Doe", "Harbor View", "94612", "jane.doe", "555-0142", "3704 0044", "94-3219876"}) {
    INFO(secret);
    CHECK(sent.find(secret) == std::string::npos);
  }
  CHECK(sent.find("Acme Corporation") != std::string::npos);
  // The person's name comes back in the value, the evidence is the original text.
  REQUIRE(terms->count("parties"));
  const auto& parties = terms->at("parties");
  CHECK(parties.value[1]["name"] == "Jane Q. Doe");
  CHECK(parties.evidence.text.find("Jane Q. Doe") != std::string::npos);
  CHECK(parties.evidence.end > person);
  CHECK(ep.extractor()->provenance()["redaction"] == "redact-2");
}
