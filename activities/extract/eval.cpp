#include "activities/extract/eval.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace covenant::activities::extract {

namespace {

using nlohmann::json;

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool overlaps(const Evidence& e, const json& spans) {
  if (!spans.is_array()) return false;
  for (const auto& s : spans) {
    if (!s.is_object() || !s.contains("segments") || !s["segments"].is_array()) continue;
    for (const auto& seg : s["segments"]) {
      if (!seg.is_object()) continue;
      auto num = [&](const char* k) {
        return seg.contains(k) && seg[k].is_number_unsigned() ? seg[k].get<std::size_t>()
                                                              : std::size_t{0};
      };
      std::size_t b = num("byte_start"), en = num("byte_end");
      if (e.start < en && b < e.end) return true;
      bool repeated = seg.contains("occurrences_in_text") &&
                      seg["occurrences_in_text"].is_number() &&
                      seg["occurrences_in_text"].get<double>() > 1;
      if (repeated && s.contains("text") && s["text"].is_string() &&
          e.text.find(s["text"].get<std::string>()) != std::string::npos)
        return true;
    }
  }
  return false;
}

std::string pct(int num, int den) {
  if (den == 0) return "—";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d%%", (num * 100 + den / 2) / den);
  return buf;
}

// A duration as a comparable quantity: months for years and months, days for weeks and days.
std::pair<long, char> duration_value(const json& v) {
  if (!v.is_object() || !v.contains("iso8601") || !v["iso8601"].is_string())
    throw std::invalid_argument("a duration without 'iso8601'");
  std::string s = v["iso8601"];
  if (s.size() < 3 || s[0] != 'P') throw std::invalid_argument("not an ISO 8601 duration: " + s);
  long n = 0;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i])) || n > 100000)
      throw std::invalid_argument("not an ISO 8601 duration: " + s);
    n = n * 10 + (s[i] - '0');
  }
  switch (s.back()) {
    case 'Y':
      return {n * 12, 'M'};
    case 'M':
      return {n, 'M'};
    case 'W':
      return {n * 7, 'D'};
    case 'D':
      return {n, 'D'};
    default:
      throw std::invalid_argument("not an ISO 8601 duration: " + s);
  }
}

std::string name_of(const json& party) {
  if (!party.is_object() || !party.contains("name") || !party["name"].is_string()) return "";
  return party["name"].get<std::string>();
}

bool collective(const json& party) {
  if (!party.is_object() || !party.contains("aliases") || !party["aliases"].is_array())
    return false;
  for (const auto& al : party["aliases"])
    if (al == "Parties" || al == "Party") return true;
  return false;
}

}  // namespace

const std::vector<std::string>& scored_fields() {
  static const std::vector<std::string> f = {
      "parties",         "agreement_date", "effective_date",
      "governing_law",   "renewal_term",   "notice_period_to_terminate_renewal",
      "expiration_date", "document_kind"};
  return f;
}

std::string plain_name(const std::string& n) {
  std::string out;
  for (unsigned char c : n)
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
  if (out.rfind("the", 0) == 0 && out.size() > 6) out.erase(0, 3);
  for (int round = 0; round < 2; ++round)
    for (const char* suffix :
         {"incorporated", "corporation", "limited", "company", "inc", "llc", "ltd",
          "corp",         "co",          "plc",     "gmbh",    "sa",  "ag",  "lp",
          "bv",           "llp",         "nv",      "spa",     "kg",  "gie", "pte"})
      if (out.size() > std::strlen(suffix) + 2 && out.ends_with(suffix)) {
        out.erase(out.size() - std::strlen(suffix));
        break;
      }
  return out;
}

json labels_from_review(const json& terms) {
  json labels = json::object();
  if (!terms.is_object() || !terms.contains("reviewed") || !terms["reviewed"].is_object() ||
      !terms.contains("fields") || !terms["fields"].is_object())
    return labels;
  const json& fields = terms["fields"];
  const json& reviewed = terms["reviewed"];
  auto each = [&](const char* list, const char* how) {
    if (!reviewed.contains(list) || !reviewed[list].is_array()) return;
    for (const auto& name : reviewed[list]) {
      if (!name.is_string() || !fields.contains(name.get<std::string>())) continue;
      const json& f = fields[name.get<std::string>()];
      if (!f.is_object() || !f.contains("value") || f["value"].is_null()) continue;
      json label = {{"normalized", f["value"]}, {"how", how}};
      const json& by = f.contains("corrected") ? f["corrected"] : f.value("confirmed", json());
      if (by.is_object()) {
        label["by"] = by.value("by", json());
        label["at"] = by.value("at", json());
        if (by.contains("reason")) label["reason"] = by["reason"];
        if (by.contains("old")) label["old"] = by["old"];
      }
      if (f.contains("evidence") && f["evidence"].is_object()) label["evidence"] = f["evidence"];
      labels[name.get<std::string>()] = std::move(label);
    }
  };
  each("corrected", "corrected");
  each("confirmed", "confirmed");
  return labels;
}

bool same_value(const std::string& field, const json& a, const json& g) {
  if (g.is_null()) return false;
  if (a.is_null()) return false;
  if (field == "parties") {
    // Right when each of the first two named parties (not the "Parties" collective) is
    // answered under the same name, compared without case, punctuation or legal form.
    if (!g.is_array()) throw std::invalid_argument("parties: not a list");
    std::vector<std::string> want;
    for (const auto& p : g) {
      if (collective(p)) continue;
      std::string n = plain_name(name_of(p));
      if (n.empty()) throw std::invalid_argument("parties: a party without a name");
      if (want.size() < 2) want.push_back(n);
    }
    if (want.empty()) throw std::invalid_argument("parties: no named party");
    if (!a.is_array()) return false;
    for (const auto& w : want) {
      bool found = false;
      for (const auto& p : a) found = found || plain_name(name_of(p)) == w;
      if (!found) return false;
    }
    return true;
  }
  if (field == "governing_law") {
    if (!g.is_object()) throw std::invalid_argument("governing_law: not an object");
    if (!a.is_object()) return false;
    return a.value("jurisdiction", json()) == g.value("jurisdiction", json()) &&
           a.value("country", json()) == g.value("country", json());
  }
  if (g.is_object() && g.contains("iso8601")) {
    auto want = duration_value(g);
    if (!a.is_object() || !a.contains("iso8601")) return false;
    try {
      return duration_value(a) == want;
    } catch (const std::invalid_argument&) {
      return false;
    }
  }
  return a == g;
}

void accept_at(EvalReport& r, double threshold) {
  r.threshold = threshold;
  for (auto& [f, s] : r.fields) s.accepted = s.accepted_correct = 0;
  for (const auto& a : r.answers)
    if (a.confidence >= threshold) {
      auto& s = r.fields[a.field];
      ++s.accepted;
      s.accepted_correct += a.correct;
    }
}

double choose_threshold(const std::vector<Answer>& answers, double target, double floor) {
  int first = std::max(50, static_cast<int>(std::lround(floor * 100)));
  // Every field's accepted precision at t; `min_accepted` leaves out fields with fewer accepted
  // answers than that (one miss among a handful is noise, not a trend).
  auto good_at = [&](double t, int min_accepted) {
    std::map<std::string, std::pair<int, int>> by;  // accepted, right
    for (const auto& a : answers)
      if (a.confidence >= t - 1e-9) {
        ++by[a.field].first;
        by[a.field].second += a.correct;
      }
    for (const auto& [f, c] : by)
      if (c.first >= min_accepted && c.second < target * c.first - 1e-9) return false;
    return true;
  };
  // From the top down: the lowest threshold where every field is good, with every field that
  // has kMinJudged accepted answers good at each threshold above it too.
  double chosen = 1;
  for (int step = 99; step >= first; --step) {
    double t = step / 100.0;
    if (!good_at(t, kMinJudged)) break;
    if (good_at(t, 1)) chosen = t;
  }
  return chosen;
}

std::vector<Sample> samples(const EvalReport& r) {
  std::vector<Sample> out;
  for (const auto& a : r.answers) out.push_back({a.contract, a.field, a.rule, a.correct});
  return out;
}

EvalReport evaluate(const Extractor& x, const std::filesystem::path& dir, EvalOptions o) {
  EvalReport r;
  std::vector<std::filesystem::path> labels;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().string().size() > 12 && e.path().string().ends_with(".labels.json"))
      labels.push_back(e.path());
  if (ec) r.problems.push_back(dir.string() + ": " + ec.message());
  std::sort(labels.begin(), labels.end());
  std::map<std::string, int> fold_of;
  for (const auto& lp : labels) {
    json gold = json::parse(read(lp), nullptr, false);
    if (gold.is_discarded() || !gold.is_object() || !gold.contains("labels") ||
        !gold["labels"].is_object()) {
      r.problems.push_back(lp.string() + ": not a labels file");
      continue;
    }
    std::string id = gold.contains("id") && gold["id"].is_string() ? gold["id"].get<std::string>()
                                                                   : lp.stem().string();
    std::string text_file = gold.contains("text_file") && gold["text_file"].is_string()
                                ? gold["text_file"].get<std::string>()
                                : "";
    auto text_path = lp.parent_path() / text_file;
    std::string text = text_file.empty() ? "" : read(text_path);
    if (text.empty()) {
      r.problems.push_back(text_path.string() + ": cannot read it");
      continue;
    }
    fold_of[id] = r.contracts;
    ++r.contracts;
    Terms terms = x.extract(text);
    for (const auto& f : scored_fields()) {
      const json& labels_of = gold["labels"];
      json g = labels_of.contains(f) && labels_of[f].is_object() ? labels_of[f] : json::object();
      // A field the file does not label is not scored (CUAD's files label every field, with
      // null for "not in this contract"; a reviewer's export only what a person looked at).
      if (!labels_of.contains(f) && !(f == "document_kind" && labels_of.contains("document_name")))
        continue;
      json gv = g.contains("normalized") ? g["normalized"] : json();
      if (f == "document_kind" &&
          !labels_of.contains(f)) {  // no label of its own: the kind the labelled title names
        json name = labels_of.contains("document_name") && labels_of["document_name"].is_object()
                        ? labels_of["document_name"].value("normalized", json())
                        : json();
        gv = name.is_string() ? json(document_kind_of(name.get<std::string>())) : json();
        g = labels_of.contains("document_name") && labels_of["document_name"].is_object()
                ? labels_of["document_name"]
                : json::object();  // the title's spans are the kind's evidence
      }
      bool spans = g.contains("spans") && g["spans"].is_array() && !g["spans"].empty();
      auto& s = r.fields[f];
      if (gv.is_null() && spans) {  // marked, but no value to compare with
        ++s.unusable;
        r.unusable.push_back(id + ": " + f + ": a labelled span without a normalised value");
        continue;
      }
      auto it = terms.find(f);
      bool right = false;
      if (!gv.is_null() && it != terms.end()) {
        try {
          right = same_value(f, it->second.value, gv);
        } catch (const std::exception& e) {
          ++s.unusable;
          r.unusable.push_back(id + ": " + f + ": " + e.what());
          continue;
        }
      } else if (!gv.is_null()) {
        try {  // the label must be usable to count as a miss
          same_value(f, gv, gv);
        } catch (const std::exception& e) {
          ++s.unusable;
          r.unusable.push_back(id + ": " + f + ": " + e.what());
          continue;
        }
      }
      if (!gv.is_null()) ++s.gold;
      if (it == terms.end()) {
        if (!gv.is_null())
          r.misses.push_back({{"contract", id}, {"field", f}, {"gold", gv}, {"answer", nullptr}});
        continue;
      }
      ++s.answered;
      r.answers.push_back({id, f, it->second.rule, it->second.confidence, right});
      if (right)
        ++s.correct;
      else
        r.misses.push_back({{"contract", id},
                            {"field", f},
                            {"gold", gv},
                            {"answer", it->second.value},
                            {"rule", it->second.rule}});
      if (overlaps(it->second.evidence, g.value("spans", json::array()))) ++s.evidence_hits;
    }
  }
  if (o.folds > 1) {
    r.folds = o.folds;
    for (int k = 0; k < o.folds; ++k) {
      std::vector<Sample> train;
      for (const auto& a : r.answers)
        if (fold_of[a.contract] % o.folds != k)
          train.push_back({a.contract, a.field, a.rule, a.correct});
      auto table = Calibration::fit(train);
      for (auto& a : r.answers)
        if (fold_of[a.contract] % o.folds == k)
          a.confidence = table.confidence(a.field, a.rule, a.confidence);
    }
  }
  accept_at(r, o.threshold < 0 ? x.default_min_confidence() : o.threshold);
  return r;
}

std::string table(const EvalReport& r) {
  std::ostringstream o;
  char line[320];
  std::snprintf(line, sizeof line, "%-36s %5s %8s %8s %9s %7s %9s %9s %9s %8s\n", "field", "gold",
                "answered", "correct", "precision", "recall", "evidence", "accepted", "acc.prec",
                "coverage");
  o << line;
  FieldScore total;
  auto row = [&](const std::string& name, const FieldScore& s) {
    std::snprintf(line, sizeof line, "%-36s %5d %8d %8d %9s %7s %9s %9d %9s %8s\n", name.c_str(),
                  s.gold, s.answered, s.correct, pct(s.correct, s.answered).c_str(),
                  pct(s.correct, s.gold).c_str(), pct(s.evidence_hits, s.answered).c_str(),
                  s.accepted, pct(s.accepted_correct, s.accepted).c_str(),
                  pct(s.accepted, s.answered).c_str());
    o << line;
  };
  for (const auto& [f, s] : r.fields) {
    row(f, s);
    total.gold += s.gold;
    total.answered += s.answered;
    total.correct += s.correct;
    total.evidence_hits += s.evidence_hits;
    total.accepted += s.accepted;
    total.accepted_correct += s.accepted_correct;
    total.unusable += s.unusable;
  }
  row("all", total);
  char tail[200];
  std::snprintf(tail, sizeof tail,
                "%d contracts; accepted = confidence >= %.2f (%s); %d labels "
                "could not be scored\n",
                r.contracts, r.threshold,
                r.folds > 1 ? (std::to_string(r.folds) + "-fold cross-validated").c_str()
                            : "the shipped calibration",
                total.unusable);
  o << tail;
  return o.str();
}

std::string reliability_svg(const EvalReport& r, const std::string& field) {
  constexpr int kBins = 10, W = 360, H = 300, L = 50, B = 40, T = 30, R = 20;
  int n[kBins] = {}, right[kBins] = {};
  double sum_conf[kBins] = {};
  int total = 0;
  for (const auto& a : r.answers) {
    if (a.field != field) continue;
    int b = std::clamp(static_cast<int>(a.confidence * kBins), 0, kBins - 1);
    ++n[b];
    right[b] += a.correct;
    sum_conf[b] += a.confidence;
    ++total;
  }
  const double pw = W - L - R, ph = H - T - B;
  auto X = [&](double v) { return L + v * pw; };
  auto Y = [&](double v) { return T + (1 - v) * ph; };
  std::ostringstream o;
  char buf[400];
  o << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H
    << "\" viewBox=\"0 0 " << W << ' ' << H << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  o << "<title>Reliability of " << field << "</title>\n";
  o << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  std::snprintf(buf, sizeof buf,
                "<text x=\"%d\" y=\"18\" font-size=\"13\">%s (%d answers%s)</text>\n", L,
                field.c_str(), total, r.folds > 1 ? ", cross-validated" : "");
  o << buf;
  for (int i = 0; i <= 10; i += 2) {
    double v = i / 10.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>"
                  "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n",
                  X(0), Y(v), X(1), Y(v), X(v), H - B + 15, v, L - 5, Y(v) + 4, v);
    o << buf;
  }
  std::snprintf(buf, sizeof buf,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
                "stroke-dasharray=\"4 3\"/>\n",
                X(0), Y(0), X(1), Y(1));
  o << buf;
  for (int b = 0; b < kBins; ++b) {
    if (n[b] == 0) continue;
    double acc = static_cast<double>(right[b]) / n[b];
    double x0 = X(b / 10.0) + 2, x1 = X((b + 1) / 10.0) - 2;
    std::snprintf(buf, sizeof buf,
                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#4a7ab5\">"
                  "<title>confidence %.1f–%.1f: %d of %d right (mean confidence %.2f)</title>"
                  "</rect><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                  x0, Y(acc), x1 - x0, Y(0) - Y(acc), b / 10.0, (b + 1) / 10.0, right[b], n[b],
                  sum_conf[b] / n[b], (x0 + x1) / 2, Y(acc) - 3, n[b]);
    o << buf;
  }
  std::snprintf(buf, sizeof buf,
                "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">confidence</text>"
                "<text x=\"12\" y=\"%.1f\" transform=\"rotate(-90 12 %.1f)\" "
                "text-anchor=\"middle\">share right</text>\n",
                X(0.5), H - 5, Y(0.5), Y(0.5));
  o << buf << "</svg>\n";
  return o.str();
}

}  // namespace covenant::activities::extract
