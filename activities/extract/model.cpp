#include "activities/extract/model.hpp"

#include "activities/extract/eval.hpp"
#include "activities/extract/redact.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace covenant::activities::extract {
namespace {

using nlohmann::json;
namespace h = adapters::http;

std::string prompt() {
  std::string p =
      "You read commercial contracts and return their terms as one JSON object "
      "{\"fields\": {NAME: {\"value\": VALUE, \"quote\": SENTENCE}}}. SENTENCE is copied "
      "exactly, character for character, from the contract: the shortest passage that "
      "states the value. Leave out a field the contract does not state; never guess. Dates "
      "are YYYY-MM-DD; money is {\"amount_minor\": integer minor units, \"currency\": ISO "
      "4217}; percentages are decimal strings or basis points as shown. The fields:\n";
  for (const auto& [name, shape] : model_fields()) p += "- " + name + ": " + shape + "\n";
  return p;
}

// Where `quote` is in `text`: exactly, else with runs of white space matched loosely (PDF text
// breaks lines where the model does not).
std::optional<std::pair<std::size_t, std::size_t>> locate(const std::string& text,
                                                          const std::string& quote) {
  if (quote.size() < 4) return std::nullopt;
  if (auto p = text.find(quote); p != std::string::npos) return std::make_pair(p, p + quote.size());
  std::vector<std::string> words;
  std::string w;
  for (char c : quote) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!w.empty()) words.push_back(std::move(w));
      w.clear();
    } else {
      w += c;
    }
  }
  if (!w.empty()) words.push_back(w);
  if (words.empty()) return std::nullopt;
  for (auto p = text.find(words[0]); p != std::string::npos; p = text.find(words[0], p + 1)) {
    std::size_t at = p + words[0].size();
    bool ok = true;
    for (std::size_t i = 1; i < words.size() && ok; ++i) {
      std::size_t s = at;
      while (s < text.size() && std::isspace(static_cast<unsigned char>(text[s]))) ++s;
      ok = s > at && text.compare(s, words[i].size(), words[i]) == 0;
      at = s + words[i].size();
    }
    if (ok) return std::make_pair(p, at);
  }
  return std::nullopt;
}

bool iso_date(const json& v) {
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  return s.size() == 10 && s[4] == '-' && s[7] == '-' &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c) || c == '-'; });
}

bool money(const json& v) {
  return v.is_object() && v.contains("amount_minor") && v["amount_minor"].is_number_integer() &&
         v.value("currency", "").size() == 3;
}

// The value has the shape the field promises; anything else from a model is dropped.
bool well_formed(const std::string& field, const json& v) {
  if (field == "agreement_date" || field == "effective_date") return iso_date(v);
  if (field == "expiration_date") return iso_date(v) || v == "perpetual";
  if (field == "auto_renewal") return v.is_boolean();
  if (field == "parties")
    return v.is_array() && !v.empty() &&
           std::all_of(v.begin(), v.end(), [](const json& p) { return p.contains("name"); });
  if (field == "governing_law") return v.is_object() && v.contains("country");
  if (field == "term" || field == "renewal_term" || field == "notice_period_to_terminate_renewal")
    return v.is_object() && v.contains("value") && v["value"].is_number_integer() &&
           v.contains("unit");
  if (field == "payment_terms")
    return v.is_object() && v.contains("net_days") && v["net_days"].is_number_integer();
  if (field == "fees")
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& f) {
             return money(f.value("amount", json()));
           });
  if (field == "billing_frequency") return v.is_object() && v.contains("every");
  if (field == "milestones")
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& m) {
             return m.contains("basis_points") && m["basis_points"].is_number_integer();
           });
  if (field == "sla") return v.is_object();
  return false;
}

// Whether two extractors found the same thing (values compared the way they are used).
bool agree(const std::string& field, const json& a, const json& b) {
  if (field == "fees") {
    auto key = [](const json& fees) {
      std::multiset<std::string> k;
      for (const auto& f : fees)
        k.insert(f["amount"].dump() + "|" + f.value("frequency", json()).dump());
      return k;
    };
    return a.is_array() && b.is_array() && key(a) == key(b);
  }
  if (field == "payment_terms")
    return a.value("net_days", -1) == b.value("net_days", -2) &&
           a.value("discount", json()) == b.value("discount", json());
  if (field == "milestones") {
    auto key = [](const json& ms) {
      std::vector<int> k;
      for (const auto& m : ms) k.push_back(m.value("basis_points", 0));
      return k;
    };
    return a.is_array() && b.is_array() && key(a) == key(b);
  }
  if (field == "sla") return a.value("uptime_percent", json()) == b.value("uptime_percent", json());
  if (field == "term" || field == "renewal_term" || field == "notice_period_to_terminate_renewal")
    return a.value("value", 0) == b.value("value", -1) &&
           a.value("unit", "") == b.value("unit", "");
  return same_value(field, a, b);
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& model_fields() {
  static const std::vector<std::pair<std::string, std::string>> f = {
      {"parties", "[{\"name\", \"aliases\": [defined names]}]"},
      {"agreement_date", "YYYY-MM-DD"},
      {"effective_date", "YYYY-MM-DD"},
      {"term", "{\"value\": integer, \"unit\": \"days|months|years\"}"},
      {"expiration_date", "YYYY-MM-DD (the day after the last day), or \"perpetual\""},
      {"auto_renewal", "true or false"},
      {"renewal_term", "{\"value\", \"unit\"}"},
      {"notice_period_to_terminate_renewal", "{\"value\", \"unit\"}"},
      {"governing_law", "{\"jurisdiction\": state or province or null, \"country\"}"},
      {"payment_terms", "{\"net_days\": integer, \"discount\": {\"basis_points\", \"days\"}}"},
      {"fees",
       "[{\"description\", \"amount\": money, \"frequency\": \"one_time|month|quarter|year\", "
       "\"quantity\"}]"},
      {"billing_frequency",
       "{\"every\": \"month|quarter|half_year|year\", \"timing\": \"advance|arrears\"}"},
      {"milestones", "[{\"basis_points\": integer (50% = 5000), \"event\"}]"},
      {"sla",
       "{\"uptime_percent\": \"99.9\", \"response_times\": [{\"priority\", \"within\": {\"value\", "
       "\"unit\"}}], \"service_credits\": [{\"below_percent\", \"credit_basis_points\"}]}"},
  };
  return f;
}

tl::expected<Terms, ExtractError> ModelExtractor::read_answer(const std::string& content,
                                                              const std::string& text) {
  json answer = json::parse(content, nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || !answer.contains("fields") ||
      !answer["fields"].is_object())
    return tl::unexpected(ExtractError{
        "the model's answer is not the JSON object asked for ({\"fields\": …})", false});
  Terms out;
  for (const auto& [name, shape] : model_fields()) {
    if (!answer["fields"].contains(name)) continue;
    const json& f = answer["fields"][name];
    if (!f.is_object() || !f.contains("value") || !well_formed(name, f["value"])) continue;
    Term t;
    t.value = f["value"];
    t.source = "model";
    std::string quote = f.value("quote", json("")).is_string() ? f["quote"].get<std::string>() : "";
    if (auto at = locate(text, quote)) {
      t.evidence = {at->first, at->second, text.substr(at->first, at->second - at->first)};
      t.confidence = 0.7;
    } else {
      t.confidence = 0.3;  // no supporting text found: a person must look
    }
    out[name] = std::move(t);
  }
  return out;
}

tl::expected<Terms, ExtractError> ModelExtractor::try_extract(const std::string& text) const {
  // Personal data never leaves: the model reads the masked text (same offsets, redact.hpp).
  Redacted masked = redact(text.substr(0, max_chars_));
  json body = {{"model", model_},
               {"temperature", 0},
               {"response_format", {{"type", "json_object"}}},
               {"messages",
                {{{"role", "system"}, {"content", prompt()}},
                 {{"role", "user"}, {"content", masked.text}}}}};
  h::Request r;
  r.method = "POST";
  r.path = "/v1/chat/completions";
  r.content_type = "application/json";
  r.body = body.dump();
  auto res = client_->send(r);
  if (!res)
    return tl::unexpected(
        ExtractError{res.error().message, res.error().kind == h::Failure::Transient});
  json reply = json::parse(res->body, nullptr, false);
  if (reply.is_discarded() || !reply.contains("choices") || !reply["choices"].is_array() ||
      reply["choices"].empty() || !reply["choices"][0].contains("message") ||
      !reply["choices"][0]["message"].value("content", json()).is_string())
    return tl::unexpected(
        ExtractError{"model endpoint: an answer without choices[0].message.content", false});
  auto terms =
      read_answer(reply["choices"][0]["message"]["content"].get<std::string>(), masked.text);
  if (!terms) return terms;
  // Values get back what was masked in them; evidence is shown from the original text (the
  // offsets are the same).
  for (auto& [name, t] : *terms) {
    t.value = restore(masked, t.value);
    if (t.evidence.end > t.evidence.start && t.evidence.end <= text.size())
      t.evidence.text = text.substr(t.evidence.start, t.evidence.end - t.evidence.start);
  }
  return terms;
}

json ModelExtractor::provenance() const {
  return {{"extractor", "model"},
          {"model", model_},
          {"redaction", kRedactionVersion},
          {"calibration", nullptr}};
}

json VotingExtractor::provenance() const {
  return {{"extractor", "vote"}, {"rules", rules_->provenance()}, {"model", model_->provenance()}};
}

Terms ModelExtractor::extract(const std::string& text) const {
  auto r = try_extract(text);
  return r ? *r : Terms{};
}

tl::expected<Terms, ExtractError> VotingExtractor::try_extract(const std::string& text) const {
  auto rules = rules_->try_extract(text);
  if (!rules) return rules;
  auto model = model_->try_extract(text);
  if (!model) return model;
  Terms out;
  std::set<std::string> names;
  for (const auto& [n, t] : *rules) names.insert(n);
  for (const auto& [n, t] : *model) names.insert(n);
  for (const auto& n : names) {
    auto r = rules->find(n);
    auto m = model->find(n);
    if (r != rules->end() && m != model->end()) {
      Term t = r->second;
      if (agree(n, r->second.value, m->second.value)) {
        // Two independent readings agree: surer than either, never less sure than the rules'
        // calibrated estimate, and never certain.
        t.confidence =
            std::max(r->second.confidence,
                     std::min(0.999, 1 - (1 - r->second.confidence) * (1 - m->second.confidence)));
        t.source = "agreed";
      } else {
        t.confidence = std::min({r->second.confidence, m->second.confidence, 0.5});
        t.source = "disputed";
        t.alternative = m->second.value;
      }
      out[n] = std::move(t);
    } else {
      Term t = r != rules->end() ? r->second : m->second;
      if (t.source.empty()) t.source = "rules";
      t.confidence *= 0.8;  // only one reading found it
      out[n] = std::move(t);
    }
  }
  return out;
}

Terms VotingExtractor::extract(const std::string& text) const {
  auto r = try_extract(text);
  return r ? *r : Terms{};
}

}  // namespace covenant::activities::extract
