#include "engine/store/database_url.hpp"

#include <cctype>

namespace covenant::engine::store {
namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

tl::expected<std::string, std::string> percent_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0)
      return tl::unexpected(std::string("bad percent-encoding in the URL"));
    out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
    i += 2;
  }
  return out;
}

// libpq quoting: values in single quotes, with ' and \ escaped.
std::string kv(const std::string& key, const std::string& value) {
  std::string q = key + "='";
  for (char c : value) {
    if (c == '\'' || c == '\\') q += '\\';
    q += c;
  }
  return q + "' ";
}

tl::expected<DatabaseUrl, std::string> parse_postgres(const std::string& url,
                                                      std::size_t scheme_end) {
  std::string rest = url.substr(scheme_end);
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest.erase(q);
  }
  std::string authority = rest, path;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }
  std::string userinfo, hostport = authority;
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
  }
  std::string out;
  if (!userinfo.empty()) {
    std::string user = userinfo, password;
    bool has_password = false;
    if (auto colon = userinfo.find(':'); colon != std::string::npos) {
      user = userinfo.substr(0, colon);
      password = userinfo.substr(colon + 1);
      has_password = true;
    }
    auto u = percent_decode(user);
    if (!u) return tl::unexpected(u.error());
    if (!u->empty()) out += kv("user", *u);
    if (has_password) {
      auto p = percent_decode(password);
      if (!p) return tl::unexpected(std::string("bad percent-encoding in the password"));
      out += kv("password", *p);
    }
  }
  if (!hostport.empty()) {
    std::string host = hostport, port;
    if (auto colon = hostport.rfind(':'); colon != std::string::npos && hostport.back() != ']') {
      host = hostport.substr(0, colon);
      port = hostport.substr(colon + 1);
      if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos)
        return tl::unexpected("bad port '" + port + "' in the database URL");
    }
    if (!host.empty()) out += kv("host", host);
    if (!port.empty()) out += kv("port", port);
  }
  if (!path.empty()) {
    auto db = percent_decode(path);
    if (!db) return tl::unexpected(db.error());
    out += kv("dbname", *db);
  }
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    pos = amp == std::string::npos ? query.size() : amp + 1;
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      return tl::unexpected("bad query parameter '" + pair + "' in the database URL");
    auto value = percent_decode(pair.substr(eq + 1));
    if (!value) return tl::unexpected(value.error());
    out += kv(pair.substr(0, eq), *value);
  }
  if (!out.empty()) out.pop_back();
  return DatabaseUrl{Backend::Postgres, out};
}

}  // namespace

tl::expected<DatabaseUrl, std::string> parse_database_url(const std::string& url) {
  if (url.empty()) return tl::unexpected(std::string("the database URL is empty"));
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    std::string s(scheme);
    if (url.rfind(s, 0) == 0) return parse_postgres(url, s.size());
  }
  if (url.rfind("sqlite://", 0) == 0) {
    std::string path = url.substr(9);
    if (path.empty()) return tl::unexpected(std::string("sqlite:// URL without a file path"));
    return DatabaseUrl{Backend::Sqlite, path};
  }
  if (url.rfind("sqlite:", 0) == 0) {
    std::string path = url.substr(7);
    if (path.empty()) return tl::unexpected(std::string("sqlite: URL without a file path"));
    return DatabaseUrl{Backend::Sqlite, path};
  }
  if (auto colon = url.find("://"); colon != std::string::npos)
    return tl::unexpected("unsupported database scheme '" + url.substr(0, colon) +
                          "' (use sqlite:// or postgresql://)");
  return DatabaseUrl{Backend::Sqlite, url};
}

std::string redact_database_url(const std::string& url) {
  std::string out = url;
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    auto start = scheme + 3;
    auto at = out.find('@', start);
    auto slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    if (p > 0 && out[p - 1] != '?' && out[p - 1] != '&') continue;
    auto end = out.find('&', p);
    auto from = p + 9;
    out.replace(from, (end == std::string::npos ? out.size() : end) - from, "***");
  }
  return out;
}

}  // namespace covenant::engine::store
