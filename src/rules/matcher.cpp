#include "rules/matcher.h"

#include <regex.h>

#include <algorithm>

#include "common/text.h"

namespace rr {

// Owns one compiled regex_t; regfree runs exactly once, in the destructor.
class Matcher::Regex {
 public:
  static Result<std::shared_ptr<const Regex>> compile(const std::string& pattern) {
    if (pattern.find('\0') != std::string::npos) return Error{"", "regex contains a NUL byte"};
    auto re = std::shared_ptr<Regex>(new Regex());
    // Anchored like Alertmanager (Go's regexp with ^(...)$).
    const std::string anchored = "^(" + pattern + ")$";
    int rc = regcomp(&re->compiled_, anchored.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char buf[256];
      regerror(rc, &re->compiled_, buf, sizeof buf);
      return Error{"", "invalid regex \"" + pattern + "\": " + buf};
    }
    re->ok_ = true;
    return std::shared_ptr<const Regex>(std::move(re));
  }

  ~Regex() {
    if (ok_) regfree(&compiled_);
  }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  bool full_match(const std::string& value) const {
    // REG_STARTEND: match the whole std::string, even past an embedded NUL,
    // instead of stopping at the first NUL as a C string would.
    regmatch_t range[1];
    range[0].rm_so = 0;
    range[0].rm_eo = static_cast<regoff_t>(value.size());
    return regexec(&compiled_, value.c_str(), 1, range, REG_STARTEND) == 0;
  }

 private:
  Regex() = default;
  regex_t compiled_{};
  bool ok_ = false;
};

namespace {

bool is_label_name(std::string_view s) {
  if (s.empty()) return false;
  auto head = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  auto tail = [&](char c) { return head(c) || (c >= '0' && c <= '9'); };
  return head(s[0]) && std::all_of(s.begin() + 1, s.end(), tail);
}

std::string_view op_text(Matcher::Op op) {
  switch (op) {
    case Matcher::Op::Equal: return "=";
    case Matcher::Op::NotEqual: return "!=";
    case Matcher::Op::Regex: return "=~";
    case Matcher::Op::NotRegex: return "!~";
  }
  return "=";
}

// A double-quoted value starting at text[0]: \" and \\ are unescaped, any
// other backslash is kept so regexes such as "a\.b" read naturally.
Result<std::string> unquote(std::string_view text) {
  std::string out;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) {
      out += text[++i];
    } else if (c == '"') {
      if (!trim(text.substr(i + 1)).empty()) return Error{"", "unexpected text after the closing quote"};
      return out;
    } else {
      out += c;
    }
  }
  return Error{"", "unterminated quoted value"};
}

}  // namespace

Result<Matcher> Matcher::make(std::string label, Op op, std::string value) {
  if (!is_label_name(label)) return Error{"", "invalid label name \"" + label + "\""};
  Matcher m;
  m.label_ = std::move(label);
  m.op_ = op;
  m.value_ = std::move(value);
  if (op == Op::Regex || op == Op::NotRegex) {
    auto re = Regex::compile(m.value_);
    if (!re) return re.error();
    m.regex_ = std::move(*re);
  }
  return m;
}

Result<Matcher> Matcher::parse(std::string_view text) {
  std::string_view s = trim(text);
  std::size_t i = 0;
  while (i < s.size() && s[i] != '=' && s[i] != '!' && s[i] != '~' && s[i] != ' ' && s[i] != '\t') ++i;
  std::string label(s.substr(0, i));
  std::string_view rest = trim(s.substr(i));
  Op op;
  if (starts_with(rest, "=~")) {
    op = Op::Regex;
  } else if (starts_with(rest, "!~")) {
    op = Op::NotRegex;
  } else if (starts_with(rest, "!=")) {
    op = Op::NotEqual;
  } else if (starts_with(rest, "=")) {
    op = Op::Equal;
  } else {
    return Error{"", "matcher \"" + std::string(s) + "\" has no operator (=, !=, =~, !~)"};
  }
  if (label.empty()) return Error{"", "matcher \"" + std::string(s) + "\" has no label name"};
  rest = trim(rest.substr(op == Op::Equal ? 1 : 2));
  std::string value;
  if (starts_with(rest, "\"")) {
    auto v = unquote(rest);
    if (!v) return Error{"", "matcher \"" + std::string(s) + "\": " + v.error().message};
    value = std::move(*v);
  } else {
    if (rest.find('"') != std::string_view::npos)
      return Error{"", "matcher \"" + std::string(s) + "\": stray quote in unquoted value"};
    value = std::string(rest);
  }
  return make(std::move(label), op, std::move(value));
}

bool Matcher::matches(const LabelSet& labels) const {
  const std::string& v = label_value(labels, label_);
  switch (op_) {
    case Op::Equal: return v == value_;
    case Op::NotEqual: return v != value_;
    case Op::Regex: return regex_->full_match(v);
    case Op::NotRegex: return !regex_->full_match(v);
  }
  return false;
}

std::string Matcher::to_string() const {
  std::string quoted;
  for (char c : value_) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return label_ + std::string(op_text(op_)) + "\"" + quoted + "\"";
}

bool matches_all(const std::vector<Matcher>& matchers, const LabelSet& labels) {
  return std::all_of(matchers.begin(), matchers.end(), [&](const Matcher& m) { return m.matches(labels); });
}

}  // namespace rr
