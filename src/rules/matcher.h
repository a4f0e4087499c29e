#pragma once
// Label matchers with Alertmanager's semantics: `=`, `!=`, `=~`, `!~`.
// Regexes are anchored at both ends and use POSIX extended syntax (glibc's
// matcher, which runs in bounded stack on any input length).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "common/result.h"

namespace rr {

class Matcher {
 public:
  enum class Op { Equal, NotEqual, Regex, NotRegex };

  // `label op value`; compiles the regex for the regex ops.
  static Result<Matcher> make(std::string label, Op op, std::string value);
  // Alertmanager's text form: `name="value"`, `name=~"a|b"`, quotes optional.
  static Result<Matcher> parse(std::string_view text);

  // A missing label matches as the empty string, as in Alertmanager.
  bool matches(const LabelSet& labels) const;

  const std::string& label() const { return label_; }
  Op op() const { return op_; }
  const std::string& value() const { return value_; }
  std::string to_string() const;

 private:
  class Regex;  // RAII owner of a compiled regex_t
  std::string label_;
  Op op_ = Op::Equal;
  std::string value_;
  std::shared_ptr<const Regex> regex_;  // shared: Matcher is copyable, regex immutable
};

bool matches_all(const std::vector<Matcher>& matchers, const LabelSet& labels);

}  // namespace rr
