#include "common/redact.h"

#include <regex.h>

#include <algorithm>
#include <array>
#include <utility>

namespace rr {

// Owns one compiled regex_t; regfree runs exactly once, in the destructor.
class Redactor::Pattern {
 public:
  static Result<std::shared_ptr<const Pattern>> compile(const std::string& pattern) {
    if (pattern.find('\0') != std::string::npos) return Error{"", "redaction pattern contains a NUL byte"};
    if (pattern.empty()) return Error{"", "empty redaction pattern"};
    auto p = std::shared_ptr<Pattern>(new Pattern());
    int rc = regcomp(&p->compiled_, pattern.c_str(), REG_EXTENDED | REG_NEWLINE);
    if (rc != 0) {
      char buf[256];
      regerror(rc, &p->compiled_, buf, sizeof buf);
      return Error{"", "invalid redaction pattern \"" + pattern + "\": " + buf};
    }
    p->ok_ = true;
    return std::shared_ptr<const Pattern>(std::move(p));
  }
  ~Pattern() {
    if (ok_) regfree(&compiled_);
  }
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  // Appends the ranges to replace: each match, or its first group.
  void find_all(std::string_view text, std::vector<std::pair<std::size_t, std::size_t>>& spans) const {
    std::string owned(text);  // regexec wants a NUL-terminated buffer even with REG_STARTEND
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::array<regmatch_t, 2> m{};
      m[0].rm_so = static_cast<regoff_t>(pos);
      m[0].rm_eo = static_cast<regoff_t>(text.size());
      int flags = REG_STARTEND | (pos > 0 && text[pos - 1] != '\n' ? REG_NOTBOL : 0);
      if (regexec(&compiled_, owned.c_str(), m.size(), m.data(), flags) != 0) break;
      auto so = static_cast<std::size_t>(m[0].rm_so), eo = static_cast<std::size_t>(m[0].rm_eo);
      std::size_t b = so, e = eo;
      if (compiled_.re_nsub >= 1 && m[1].rm_so >= 0) {
        b = static_cast<std::size_t>(m[1].rm_so);
        e = static_cast<std::size_t>(m[1].rm_eo);
      }
      if (b < e) spans.emplace_back(b, e);
      pos = eo > so ? eo : so + 1;  // an empty match must still move on
    }
  }

 private:
  Pattern() = default;
  regex_t compiled_{};
  bool ok_ = false;
};

namespace {

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
bool is_key_char(char c) { return is_alnum(c) || c == '_' || c == '-' || c == '.'; }
bool is_token_char(char c) { return is_alnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '.' || c == '-'; }
bool is_space(char c) { return c == ' ' || c == '\t'; }
bool contains(std::string_view s, std::string_view w) { return s.find(w) != std::string_view::npos; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

// Where a URL or a bare value ends.
bool ends_value(char c) {
  return is_space(c) || c == '\n' || c == '\r' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
}

void add(Spans& spans, std::size_t b, std::size_t e) {
  if (b < e) spans.emplace_back(b, e);
}

enum class KeyKind { None, Header, Secret };

KeyKind classify(std::string_view raw_key) {
  if (raw_key.empty()) return KeyKind::None;
  std::string key = lowered(raw_key);
  if (key == "authorization" || key.ends_with("-authorization") || key == "cookie" || key == "set-cookie")
    return KeyKind::Header;
  static constexpr std::string_view kWords[] = {
      "password", "passwd",     "passphrase", "secret",     "token",      "apikey",     "api_key",
      "api-key",  "credential", "signature",  "privatekey", "private_key", "private-key", "accesskey",
      "access_key", "access-key", "nkey_seed", "auth_key", "session_key"};
  for (auto w : kWords)
    if (contains(key, w)) return KeyKind::Secret;
  // Short words only count as a whole segment: "pass" in db.pass, not in "bypass".
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t end = key.find_first_of("_-.", start);
    if (end == std::string::npos) end = key.size();
    std::string_view seg(key.data() + start, end - start);
    if (seg == "pass" || seg == "pwd" || seg == "pw" || seg == "seed") return KeyKind::Secret;
    start = end + 1;
  }
  return KeyKind::None;
}

// Marks [b, e) as a value, keeping an HTTP auth scheme word ("Bearer ") visible.
void add_value(Spans& spans, std::string_view text, std::size_t b, std::size_t e, bool keep_scheme) {
  while (b < e && is_space(text[b])) ++b;
  while (e > b && (is_space(text[e - 1]) || text[e - 1] == '\r')) --e;
  if (keep_scheme) {
    std::size_t w = b;
    while (w < e && w - b < 24 && (is_alnum(text[w]) || text[w] == '-')) ++w;
    std::string scheme = lowered(text.substr(b, w - b));
    static constexpr std::string_view kSchemes[] = {"bearer", "basic", "digest", "token", "negotiate", "ntlm"};
    if (w < e && is_space(text[w]) && std::find(std::begin(kSchemes), std::end(kSchemes), scheme) != std::end(kSchemes)) {
      b = w;
      while (b < e && is_space(text[b])) ++b;
    }
  }
  std::string_view v = text.substr(b, e - b);
  if (v.substr(0, kRedacted.size() - 1) == kRedacted.substr(0, kRedacted.size() - 1)) return;  // done before
  std::string lv = lowered(v.substr(0, 6));
  if (lv == "true" || lv == "false" || lv == "null") return;  // flags such as "token_required": true
  add(spans, b, e);
}

// The end of a quoted value opened at text[open]: the closing quote (not
// escaped), or the end of the line.
std::size_t quoted_end(std::string_view text, std::size_t open) {
  char q = text[open];
  for (std::size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == q || text[i] == '\n') {
      return i;
    }
  }
  return text.size();
}

// Marks the value starting at v (after the separator) for a key of `kind`;
// returns where scanning may resume.
std::size_t take_value(std::string_view text, std::size_t v, KeyKind kind, Spans& spans) {
  std::size_t start = v;
  while (v < text.size() && v - start < 16 && is_space(text[v])) ++v;
  if (v >= text.size() || text[v] == '{' || text[v] == '[') return v;  // a nested object: its keys speak
  if (text[v] == '"' || text[v] == '\'') {
    std::size_t e = quoted_end(text, v);
    add_value(spans, text, v + 1, e, kind == KeyKind::Header);
    return e;
  }
  std::size_t e = v;
  if (kind == KeyKind::Header) {
    while (e < text.size() && text[e] != '\n') ++e;
    add_value(spans, text, v, e, true);
    return e;
  }
  static constexpr std::string_view kStops = ",;&\"'<>)]}";
  while (e < text.size() && !is_space(text[e]) && text[e] != '\n' && text[e] != '\r' &&
         kStops.find(text[e]) == std::string_view::npos)
    ++e;
  add_value(spans, text, v, e, false);
  return e;
}

// key=value, key: value, "key": "value".
void key_values(std::string_view text, Spans& spans) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != ':' && c != '=') continue;
    if (c == ':' && text.substr(i + 1, 2) == "//") continue;  // a URL's scheme: see urls()
    std::size_t j = i;
    for (int n = 0; n < 4 && j > 0 && is_space(text[j - 1]); ++n) --j;
    if (j > 0 && (text[j - 1] == '"' || text[j - 1] == '\'')) --j;
    std::size_t k = j;
    while (k > 0 && j - k < 64 && is_key_char(text[k - 1])) --k;
    KeyKind kind = classify(text.substr(k, j - k));
    if (kind == KeyKind::None) continue;
    std::size_t resume = take_value(text, i + 1, kind, spans);
    if (resume > i) i = resume - 1;
  }
}

// --password VALUE (command lines shown in output).
void flag_values(std::string_view text, Spans& spans) {
  for (std::size_t i = text.find("--"); i != std::string_view::npos; i = text.find("--", i + 2)) {
    std::size_t k = i + 2, e = k;
    while (e < text.size() && e - k < 64 && is_key_char(text[e])) ++e;
    if (e >= text.size() || text[e] != ' ') continue;
    KeyKind kind = classify(text.substr(k, e - k));
    if (kind == KeyKind::None) continue;
    std::size_t v = e;
    while (v < text.size() && is_space(text[v])) ++v;
    std::size_t end = v;
    while (end < text.size() && !ends_value(text[end])) ++end;
    add(spans, v, end);
  }
}

// scheme://user:PASSWORD@host and nats://TOKEN@host.
void urls(std::string_view text, Spans& spans) {
  for (std::size_t i = text.find("://"); i != std::string_view::npos; i = text.find("://", i + 3)) {
    std::size_t s = i;
    while (s > 0 && i - s < 32 && (is_alnum(text[s - 1]) || text[s - 1] == '+' || text[s - 1] == '-')) --s;
    std::string scheme = lowered(text.substr(s, i - s));
    std::size_t a = i + 3, e = a, at = std::string_view::npos;
    while (e < text.size() && e - a < 2048 && !ends_value(text[e]) && text[e] != '/' && text[e] != '?' &&
           text[e] != '#') {
      if (text[e] == '@') at = e;
      ++e;
    }
    if (at == std::string_view::npos) continue;
    std::size_t colon = text.find(':', a);
    if (colon < at) {
      add(spans, colon + 1, at);
    } else if (scheme == "nats" || scheme == "tls" || scheme == "ws" || scheme == "wss") {
      add(spans, a, at);
    }
  }
}

// Characters of a base32 nkey.
bool is_base32(char c) { return (c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'); }

void nkey_seeds(std::string_view text, Spans& spans) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != 'S' || (i > 0 && is_alnum(text[i - 1]))) continue;
    if (std::string_view("UOANCAP").find(text[i + 1]) == std::string_view::npos) continue;
    std::size_t e = i;
    while (e < text.size() && is_base32(text[e])) ++e;
    if (e - i == 58 && (e == text.size() || !is_alnum(text[e]))) add(spans, i, e);
    i = e > i ? e - 1 : i;
  }
}

// PEM and creds blocks whose body is a credential.
void secret_blocks(std::string_view text, Spans& spans) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t i = text.find(kBegin);
  while (i != std::string_view::npos) {
    std::size_t l = i + kBegin.size();
    std::size_t close = text.find("-----", l);
    std::size_t eol = text.find('\n', l);
    if (close == std::string_view::npos || close - l > 64 || (eol != std::string_view::npos && eol < close)) {
      i = text.find(kBegin, l);
      continue;
    }
    std::string_view label = text.substr(l, close - l);
    std::size_t body = close;
    while (body < text.size() && text[body] == '-') ++body;
    if (!contains(label, "PRIVATE KEY") && !contains(label, "SEED") && !contains(label, "JWT") &&
        !contains(label, "SECRET")) {
      i = text.find(kBegin, body);
      continue;
    }
    std::size_t end = text.find("-----END", body);
    std::size_t stop = end == std::string_view::npos ? text.size() : end;
    while (stop > body && text[stop - 1] == '-') --stop;
    std::size_t b = body;
    while (b < stop && (text[b] == '\r' || text[b] == '\n')) ++b;
    std::size_t e = stop;
    while (e > b && (text[e - 1] == '\r' || text[e - 1] == '\n' || is_space(text[e - 1]))) --e;
    add(spans, b, e);
    if (end == std::string_view::npos) break;
    i = text.find(kBegin, end);
  }
}

// Tokens recognisable by their prefix, and JWTs.
void prefixed_tokens(std::string_view text, Spans& spans) {
  struct Prefix {
    std::string_view text;
    std::size_t min_rest;
  };
  static constexpr Prefix kPrefixes[] = {
      {"ghp_", 20},  {"gho_", 20},  {"ghu_", 20},  {"ghs_", 20},  {"ghr_", 20},   {"github_pat_", 20},
      {"xoxb-", 10}, {"xoxp-", 10}, {"xoxa-", 10}, {"xoxr-", 10}, {"xoxs-", 10},  {"xapp-", 10},
      {"glpat-", 16}, {"AKIA", 16}, {"ASIA", 16},  {"eyJ", 20}};
  for (const auto& p : kPrefixes) {
    for (std::size_t i = text.find(p.text); i != std::string_view::npos; i = text.find(p.text, i + 1)) {
      if (i > 0 && (is_alnum(text[i - 1]) || text[i - 1] == '_')) continue;
      std::size_t e = i + p.text.size();
      std::size_t dots = 0;
      while (e < text.size() && (is_alnum(text[e]) || text[e] == '_' || text[e] == '-' || text[e] == '.')) {
        dots += text[e] == '.';
        ++e;
      }
      while (e > i && text[e - 1] == '.') --e, --dots;  // a sentence's full stop
      if (e - i - p.text.size() < p.min_rest) continue;
      if (p.text == "eyJ" && dots < 2) continue;  // a JWT has three parts
      add(spans, i, e);
      i = e;
    }
  }
}

// hooks.slack.com/services/[REDACTED]
void webhook_paths(std::string_view text, Spans& spans) {
  static constexpr std::string_view kHosts[] = {"hooks.slack.com/", "discord.com/api/webhooks/",
                                                "discordapp.com/api/webhooks/", "webhook.office.com/"};
  for (auto host : kHosts) {
    for (std::size_t i = text.find(host); i != std::string_view::npos; i = text.find(host, i + 1)) {
      std::size_t b = i + host.size();
      if (host == "hooks.slack.com/" || host == "webhook.office.com/") {  // keep the kind: services/, triggers/
        std::size_t s = b;
        while (s < text.size() && is_key_char(text[s])) ++s;
        if (s < text.size() && text[s] == '/') b = s + 1;
      }
      std::size_t e = b;
      while (e < text.size() && !ends_value(text[e])) ++e;
      add(spans, b, e);
    }
  }
}

// "bearer abc123...", "token 4f9a..." anywhere in prose.
void after_words(std::string_view text, Spans& spans) {
  static constexpr std::string_view kWords[] = {"bearer", "token", "key", "secret", "password", "passwd", "seed"};
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_alpha(text[i]) || (i > 0 && is_alnum(text[i - 1]))) {
      ++i;
      continue;
    }
    std::size_t e = i;
    while (e < text.size() && is_alpha(text[e])) ++e;
    std::string word = e - i <= 8 ? lowered(text.substr(i, e - i)) : std::string();
    i = e;
    if (std::find(std::begin(kWords), std::end(kWords), word) == std::end(kWords)) continue;
    std::size_t v = e;
    while (v < text.size() && v - e < 8 && (is_space(text[v]) || text[v] == ':' || text[v] == '=' ||
                                              text[v] == '"' || text[v] == '\''))
      ++v;
    if (v == e) continue;
    std::size_t t = v;
    bool digit = false;
    while (t < text.size() && is_token_char(text[t])) digit |= is_digit(text[t++]);
    if (t - v >= 20 && digit) add(spans, v, t);
    i = std::max(i, t);
  }
}

std::string replace_spans(std::string_view text, Spans& spans) {
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (std::size_t k = 0; k < spans.size();) {
    std::size_t b = spans[k].first, e = spans[k].second;
    for (++k; k < spans.size() && spans[k].first <= e; ++k) e = std::max(e, spans[k].second);
    if (b < pos) b = pos;  // cannot happen after merging; kept for safety
    out.append(text.substr(pos, b - pos));
    out.append(kRedacted);
    pos = std::min(e, text.size());
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

Result<Redactor> Redactor::make(const std::vector<std::string>& extra_patterns) {
  Redactor r;
  for (const auto& p : extra_patterns) {
    auto compiled = Pattern::compile(p);
    if (!compiled) return compiled.error();
    r.extra_.push_back(std::move(*compiled));
  }
  return r;
}

std::string Redactor::apply(std::string_view text) const {
  Spans spans;
  secret_blocks(text, spans);
  key_values(text, spans);
  flag_values(text, spans);
  urls(text, spans);
  nkey_seeds(text, spans);
  prefixed_tokens(text, spans);
  webhook_paths(text, spans);
  after_words(text, spans);
  for (const auto& p : extra_) p->find_all(text, spans);
  return replace_spans(text, spans);
}

std::string redact(std::string_view text, const std::vector<std::string>& extra_patterns) {
  auto r = Redactor::make(extra_patterns);
  if (!r) return "[REDACTED: invalid redaction pattern]";
  return r->apply(text);
}

}  // namespace rr
