// Model-based term extraction through an OpenAI-compatible chat-completions endpoint
// (POST {base_url}/v1/chat/completions), off unless configured (docs/extraction.md). The model
// is asked for each field's normalised value and the exact sentence it comes from; the quote
// is looked up in the text to give the evidence offsets, and a value whose quote is not in the
// text gets a low confidence (it goes to review). VotingExtractor runs the rules and the model
// and keeps what they agree on with more confidence than either, and what they dispute with
// little (the rules' value, the model's as the alternative), so a person decides.
#pragma once

#include "activities/extract/extractor.hpp"
#include "adapters/http/client.hpp"

#include <memory>

namespace covenant::activities::extract {

class ModelExtractor final : public Extractor {
 public:
  ModelExtractor(std::shared_ptr<adapters::http::Client> client, std::string model,
                 std::size_t max_chars = 200'000)
      : client_(std::move(client)), model_(std::move(model)), max_chars_(max_chars) {}
  Terms extract(const std::string& text) const override;
  tl::expected<Terms, ExtractError> try_extract(const std::string& text) const override;
  // {"extractor": "model", "model": name, "redaction": version}; the model's confidences are
  // not calibrated.
  nlohmann::json provenance() const override;

  // The model's answer (the JSON object it was asked for) as terms with evidence; errors say
  // what in the answer is wrong. Public for tests.
  static tl::expected<Terms, ExtractError> read_answer(const std::string& content,
                                                       const std::string& text);

 private:
  std::shared_ptr<adapters::http::Client> client_;
  std::string model_;
  std::size_t max_chars_;
};

class VotingExtractor final : public Extractor {
 public:
  VotingExtractor(std::shared_ptr<const Extractor> rules, std::shared_ptr<const Extractor> model)
      : rules_(std::move(rules)), model_(std::move(model)) {}
  Terms extract(const std::string& text) const override;
  tl::expected<Terms, ExtractError> try_extract(const std::string& text) const override;
  // {"extractor": "vote", "rules": …, "model": …}.
  nlohmann::json provenance() const override;
  double default_min_confidence() const override { return rules_->default_min_confidence(); }

 private:
  std::shared_ptr<const Extractor> rules_, model_;
};

// The fields a model is asked for, with the shape of each value (the prompt lists them).
const std::vector<std::pair<std::string, std::string>>& model_fields();

}  // namespace covenant::activities::extract
