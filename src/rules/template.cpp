#include "rules/template.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "common/text.h"
#include "common/time.h"

namespace rr {

namespace {

constexpr std::array<std::pair<ValueType, std::string_view>, 7> kTypeNames{{
    {ValueType::Host, "host"},
    {ValueType::Name, "name"},
    {ValueType::Subject, "subject"},
    {ValueType::Integer, "integer"},
    {ValueType::Duration, "duration"},
    {ValueType::Word, "word"},
    {ValueType::Url, "url"},
}};

// Characters a shell, a NATS subject parser or a path would give meaning to.
constexpr std::string_view kShellMeta = "/\\\"'`$;|&<>(){}[]!~#%";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_graph(char c) { return c > 0x20 && c < 0x7f; }  // printable ASCII, no space

// Names a character in a refusal without echoing control bytes or the value.
std::string describe(char c) {
  if (is_graph(c)) return std::string("'") + c + "'";
  if (c == ' ') return "a space";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", static_cast<unsigned char>(c));
  return buf;
}

std::optional<std::string> check_length(std::string_view v, std::size_t max) {
  if (v.empty()) return "is empty";
  if (v.size() > max) return "is longer than " + std::to_string(max) + " characters";
  return std::nullopt;
}

// The first character of `v` that is not printable ASCII or is in `banned`.
std::optional<std::string> check_chars(std::string_view v, std::string_view banned) {
  for (char c : v) {
    if (!is_graph(c) || banned.find(c) != std::string_view::npos) return "contains " + describe(c);
  }
  return std::nullopt;
}

std::optional<std::string> check_ipv4(std::string_view v) {
  auto parts = split(v, '.');
  if (parts.size() != 4) return "is not a dotted-quad IPv4 address";
  for (const auto& p : parts) {
    if (p.empty() || p.size() > 3 || std::stoi(p) > 255) return "is not a valid IPv4 address";
  }
  return std::nullopt;
}

std::optional<std::string> check_host(std::string_view v) {
  if (auto e = check_length(v, 253)) return e;
  if (v.find(':') != std::string_view::npos) {
    for (char c : v)
      if (!is_hex(c) && c != ':') return "contains " + describe(c) + " (IPv6 literal)";
    in6_addr addr{};
    const std::string text(v);
    if (inet_pton(AF_INET6, text.c_str(), &addr) != 1) return "is not a valid IPv6 address";
    return std::nullopt;
  }
  if (std::all_of(v.begin(), v.end(), [](char c) { return is_digit(c) || c == '.'; })) return check_ipv4(v);
  for (const auto& label : split(v, '.')) {
    if (label.empty()) return "has an empty DNS label";
    if (label.size() > 63) return "has a DNS label longer than 63 characters";
    for (char c : label)
      if (!is_alnum(c) && c != '-') return "contains " + describe(c);
    if (label.front() == '-' || label.back() == '-') return "has a DNS label starting or ending with '-'";
  }
  return std::nullopt;
}

std::optional<std::string> check_subject(std::string_view v) {
  if (auto e = check_length(v, 255)) return e;
  auto tokens = split(v, '.');
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t.empty()) return "has an empty token";
    if (t == "*") continue;
    if (t == ">") {
      if (i + 1 != tokens.size()) return "has '>' before its last token";
      continue;
    }
    if (auto e = check_chars(t, kShellMeta)) return e;
    if (t.find('*') != std::string::npos) return "has '*' inside a token";
  }
  return std::nullopt;
}

std::optional<std::string> check_url(std::string_view v) {
  std::string_view rest;
  if (starts_with(v, "https://")) {
    rest = v.substr(8);
  } else if (starts_with(v, "http://")) {
    rest = v.substr(7);
  } else {
    return "does not start with http:// or https://";
  }
  if (auto e = check_length(rest, 2048)) return "has an address part that " + *e;
  return check_chars(rest, "\"'`<>\\");
}

bool is_path_char(char c) { return is_alnum(c) || c == '_' || c == '-'; }

// "labels.stream": dot-separated, non-empty segments of [A-Za-z0-9_-].
bool valid_path(std::string_view p) {
  if (p.empty()) return false;
  for (const auto& seg : split(p, '.')) {
    if (seg.empty() || !std::all_of(seg.begin(), seg.end(), is_path_char)) return false;
  }
  return true;
}

}  // namespace

std::string_view value_type_name(ValueType t) {
  for (const auto& [type, name] : kTypeNames)
    if (type == t) return name;
  return "word";
}

std::optional<ValueType> value_type_from_name(std::string_view name) {
  for (const auto& [type, n] : kTypeNames)
    if (n == name) return type;
  return std::nullopt;
}

std::optional<std::string> check_value(ValueType type, std::string_view v) {
  // A leading '-' would read as an option to whatever command gets the value.
  if (starts_with(v, "-")) return "starts with '-'";
  switch (type) {
    case ValueType::Host: return check_host(v);
    case ValueType::Name:
      if (auto e = check_length(v, 255)) return e;
      return check_chars(v, ".*>/\\\"'`$;|&<(){}[]!~#%");
    case ValueType::Subject: return check_subject(v);
    case ValueType::Integer:
      if (auto e = check_length(v, 19)) return e;
      for (char c : v)
        if (!is_digit(c)) return "contains " + describe(c) + " (digits only)";
      return std::nullopt;
    case ValueType::Duration:
      if (auto e = check_length(v, 64)) return e;
      if (!parse_duration(v)) return "is not a duration such as 30s, 5m or 1h30m";
      return std::nullopt;
    case ValueType::Word:
      if (auto e = check_length(v, 255)) return e;
      for (char c : v)
        if (!is_alnum(c) && std::string_view("_.:/@=+-").find(c) == std::string_view::npos)
          return "contains " + describe(c);
      if (v.find("..") != std::string_view::npos) return "contains \"..\"";
      return std::nullopt;
    case ValueType::Url: return check_url(v);
  }
  return "has an unknown type";
}

Result<Template> Template::parse(std::string_view text) {
  Template t;
  t.source_ = std::string(text);
  std::size_t pos = 0;
  auto add_literal = [&](std::string_view lit) {
    if (lit.empty()) return;
    if (!t.parts_.empty() && t.parts_.back().path.empty()) {
      t.parts_.back().literal += lit;
    } else {
      t.parts_.push_back(Part{std::string(lit), "", std::nullopt, std::nullopt});
    }
  };
  while (pos < text.size()) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      add_literal(text.substr(pos));
      break;
    }
    add_literal(text.substr(pos, open - pos));
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos)
      return Error{"", "unterminated \"{{\" at offset " + std::to_string(open)};
    std::string_view inner = text.substr(open + 2, close - open - 2);
    if (inner.find("{{") != std::string_view::npos)
      return Error{"", "nested \"{{\" at offset " + std::to_string(open)};
    auto pieces = split(inner, '|');
    Part part;
    part.path = std::string(trim(pieces[0]));
    if (part.path.empty()) return Error{"", "empty placeholder at offset " + std::to_string(open)};
    if (!valid_path(part.path)) return Error{"", "invalid placeholder path \"" + part.path + "\""};
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      std::string_view filter = trim(pieces[i]);
      if (starts_with(filter, "default") &&
          (filter.size() == 7 || filter[7] == ' ' || filter[7] == '\t')) {
        if (part.fallback) return Error{"", "two default filters for " + part.path};
        std::string_view lit = trim(filter.substr(7));
        if (lit.size() >= 2 && lit.front() == '"' && lit.back() == '"') lit = lit.substr(1, lit.size() - 2);
        if (lit.empty()) return Error{"", "default filter without a value for " + part.path};
        part.fallback = std::string(lit);
      } else if (auto type = value_type_from_name(filter)) {
        if (part.type) return Error{"", "two type filters for " + part.path};
        part.type = type;
      } else {
        return Error{"", "unknown filter \"" + std::string(filter) + "\" for " + part.path +
                             " (types: host, name, subject, integer, duration, word, url; or default VALUE)"};
      }
    }
    t.parts_.push_back(std::move(part));
    pos = close + 2;
  }
  return t;
}

std::string shell_word(std::string_view value) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_.,:/@=+-").find(c) != std::string_view::npos;
  };
  // A leading '=' is expanded by zsh (=cmd): quoted too.
  if (!value.empty() && value[0] != '=' && std::all_of(value.begin(), value.end(), plain))
    return std::string(value);
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Result<std::string> Template::render(const TemplateScope& scope, ValueType default_type, Quoting quoting) const {
  std::string out;
  for (const Part& p : parts_) {
    if (p.path.empty()) {
      out += p.literal;
      continue;
    }
    auto it = scope.find(p.path);
    const std::string* value = (it != scope.end() && !it->second.empty()) ? &it->second : nullptr;
    if (!value) {
      if (!p.fallback) return Error{"", p.path + " is missing"};
      value = &*p.fallback;
    }
    ValueType type = p.type.value_or(default_type);
    if (auto why = check_value(type, *value))
      return Error{"", p.path + " is not a valid " + std::string(value_type_name(type)) + ": it " + *why};
    out += quoting == Quoting::Shell ? shell_word(*value) : *value;
  }
  return out;
}

std::optional<std::string> Template::check_defaults(ValueType default_type) const {
  for (const Part& p : parts_) {
    if (!p.fallback) continue;
    ValueType type = p.type.value_or(default_type);
    if (auto why = check_value(type, *p.fallback))
      return "default for " + p.path + " is not a valid " + std::string(value_type_name(type)) + ": it " + *why;
  }
  return std::nullopt;
}

std::vector<std::string> Template::paths() const {
  std::vector<std::string> out;
  for (const Part& p : parts_)
    if (!p.path.empty() && std::find(out.begin(), out.end(), p.path) == out.end()) out.push_back(p.path);
  return out;
}

bool Template::has_placeholders() const {
  return std::any_of(parts_.begin(), parts_.end(), [](const Part& p) { return !p.path.empty(); });
}

}  // namespace rr
