// ingest.contract, ingest.order_form and ingest.signed_document: read a document from where
// the input says (a file, inline text, or the CLM that holds the executed contract), store it
// once by SHA-256 as the contract's evidence, and return a reference the later steps use.
#include "activities/ingest/read_document.hpp"
#include "activities/own.hpp"
#include "workflows/sha256.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace covenant::activities {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct Source {
  std::string bytes, media_type, name;
};

// "file:relative/path" under the documents root; a path that leaves it is refused.
tl::expected<Source, std::string> read_file_uri(const Systems& s, const std::string& uri) {
  std::string rel = uri.substr(5);
  if (s.documents_root.empty())
    return tl::unexpected(std::string("no documents directory is configured for file: sources"));
  fs::path p = fs::path(rel).lexically_normal();
  if (p.is_absolute() || p.empty() || *p.begin() == "..")
    return tl::unexpected("'" + uri + "' must be a path inside the documents directory");
  fs::path full = fs::path(s.documents_root) / p;
  std::ifstream f(full, std::ios::binary);
  if (!f) return tl::unexpected("cannot read '" + uri + "' (" + full.string() + ")");
  std::ostringstream ss;
  ss << f.rdbuf();
  std::string media;
  if (p.extension() == ".pdf") media = "application/pdf";
  if (p.extension() == ".txt") media = "text/plain";
  if (p.extension() == ".json") media = "application/json";
  return Source{ss.str(), media, uri};
}

tl::expected<Source, std::string> read_source(const Systems& s, const json& src) {
  if (src.is_string()) {
    const std::string& uri = src.get_ref<const std::string&>();
    if (uri.rfind("file:", 0) == 0) return read_file_uri(s, uri);
    return tl::unexpected("'source' must be a file: URI or an object, not '" + uri + "'");
  }
  if (!src.is_object())
    return tl::unexpected(std::string("'source' must be a file: URI or an object"));
  std::string media = src.value("media_type", "");
  if (src.contains("uri")) {
    if (!src["uri"].is_string()) return tl::unexpected(std::string("'source.uri' must be text"));
    auto r = read_file_uri(s, src["uri"].get<std::string>());
    if (r && !media.empty()) r->media_type = media;
    return r;
  }
  if (src.contains("text")) {
    if (!src["text"].is_string()) return tl::unexpected(std::string("'source.text' must be text"));
    return Source{src["text"].get<std::string>(), media.empty() ? "text/plain" : media,
                  src.value("name", "inline")};
  }
  return tl::unexpected(std::string("'source' needs 'uri' or 'text'"));
}

Outcome store(const Systems& s, const char* activity, const std::string& contract_id,
              const Source& src, const ingest::DocumentText& doc) {
  if (!s.documents) return error("NotConfigured", std::string(activity) + ": no document store");
  StoredDocument d;
  d.sha256 = workflows::sha256_hex(src.bytes);
  d.media_type = doc.media_type;
  d.bytes = static_cast<std::int64_t>(src.bytes.size());
  d.pages = doc.pages;
  d.text = doc.text;
  d.contract_id = contract_id;
  auto put = s.documents->put(s.ns, d, src.bytes, src.name);
  if (!put)
    return error(put.error().retryable ? "Unavailable" : "StoreFailed",
                 std::string(activity) + ": " + put.error().message, put.error().retryable);
  return ok({{"sha256", put->sha256},
             {"contract_id", contract_id},
             {"version", put->version},
             {"new_version", put->added},
             {"media_type", doc.media_type},
             {"bytes", d.bytes},
             {"pages", doc.pages},
             {"chars", doc.text.size()},
             {"source", src.name}});
}

}  // namespace

Outcome ingest_contract(const Systems& s, const json& in) {
  const char* a = "ingest.contract";
  std::string contract_id = in.value("contract_id", "");
  if (contract_id.empty()) return invalid_input(a, "'contract_id' is required");
  if (!in.contains("source")) return invalid_input(a, "'source' is required");
  auto src = read_source(s, in["source"]);
  if (!src) return invalid_input(a, src.error());
  if (auto m = in.value("media_type", ""); !m.empty()) src->media_type = m;
  auto doc = ingest::read_document(src->bytes, src->media_type);
  if (!doc) return error("InvalidDocument", std::string(a) + ": " + src->name + ": " + doc.error());
  return store(s, a, contract_id, *src, *doc);
}

Outcome ingest_order_form(const Systems& s, const json& in) {
  const char* a = "ingest.order_form";
  if (!in.contains("source")) return invalid_input(a, "'source' is required");
  auto src = read_source(s, in["source"]);
  if (!src) return invalid_input(a, src.error());
  json form = json::parse(src->bytes, nullptr, false);
  if (form.is_discarded())
    return error("InvalidDocument", std::string(a) + ": " + src->name + " is not valid JSON");
  if (!form.is_object() || !form.contains("lines") || !form["lines"].is_array())
    return error("InvalidDocument",
                 std::string(a) + ": " + src->name + ": an order form needs a 'lines' list");
  std::string contract_id = in.value("contract_id", form.value("contract_id", ""));
  if (contract_id.empty()) return invalid_input(a, "'contract_id' is required");
  auto stored = store(s, a, contract_id, *src, {"application/json", src->bytes, 1});
  if (!stored.ok) return stored;
  stored.result["order_form"] = form;
  return stored;
}

Outcome ingest_signed_document(const Systems& s, const json& in) {
  const char* a = "ingest.signed_document";
  std::string contract_id = in.value("contract_id", "");
  if (contract_id.empty()) return invalid_input(a, "'contract_id' is required");
  if (!in.contains("source") || !in["source"].is_object() || !in["source"].contains("clm") ||
      !in["source"]["clm"].is_string())
    return invalid_input(a, "'source' must be an object naming its 'clm' (docusign or ironclad)");
  const json& src = in["source"];
  std::string vendor = src["clm"].get<std::string>();
  if (vendor != "docusign" && vendor != "ironclad")
    return invalid_input(a, "'source.clm' must be docusign or ironclad, not '" + vendor + "'");
  auto adapter = s.clm.find(vendor);
  if (adapter == s.clm.end() || !adapter->second)
    return error("NotConfigured", std::string(a) + ": no " + vendor + " adapter is configured");
  auto signed_doc = adapter->second->signed_document(src);
  if (!signed_doc) {
    Outcome o = failed(signed_doc.error());
    o.message = std::string(a) + ": " + o.message;
    return o;
  }
  Source from{std::move(signed_doc->bytes), signed_doc->media_type, signed_doc->name};
  auto doc = ingest::read_document(from.bytes, from.media_type);
  if (!doc) return error("InvalidDocument", std::string(a) + ": " + from.name + ": " + doc.error());
  auto stored = store(s, a, contract_id, from, *doc);
  if (stored.ok) stored.result["clm"] = signed_doc->metadata;
  return stored;
}

}  // namespace covenant::activities
