#pragma once
// Placeholders in rule steps and suggestions: `{{ labels.stream }}`,
// `{{ annotations.summary }}`, `{{ cluster.name }}`, `{{ finding.server }}`,
// with filters after `|`: a value type (`| host`) and a fallback
// (`| default CIM-EVENTS`). A value is used only if it passes its type's
// check; otherwise the template is refused with the reason.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rr {

// Kinds of value a step parameter or suggestion can take.
enum class ValueType {
  Host,      // DNS name or IP literal
  Name,      // NATS stream, consumer or server name
  Subject,   // NATS subject, wildcards allowed
  Integer,   // non-negative decimal
  Duration,  // Go-style duration
  Word,      // conservative token: letters, digits and _.:/@=+- only
  Url,       // http(s) URL without spaces or quotes
};

std::string_view value_type_name(ValueType t);
std::optional<ValueType> value_type_from_name(std::string_view name);

// nullopt when `value` is acceptable as `type`, else why not, phrased to
// follow "it" ("contains ';'"); the reason never echoes the value. Every type
// accepts printable ASCII only: no spaces, control bytes or non-ASCII (so no
// Unicode look-alikes), never the empty string, and no value may start with
// '-' (it would read as a command-line option).
//   Host:     1..253 chars: DNS labels of [A-Za-z0-9-] (1..63, no leading or
//             trailing '-') joined by '.', or an IPv4 dotted quad, or an IPv6
//             literal of hex digits and ':' (no brackets, no zone).
//   Name:     1..255 chars, none of . * > / \ " ' ` $ ; | & < ( ) { } [ ] ! ~ # %
//   Subject:  1..255 chars, '.'-separated non-empty tokens; '*' only as a whole
//             token, '>' only as the whole last token; tokens contain none of
//             / \ " ' ` $ ; | & < > ( ) { } [ ] ! ~ # %
//   Integer:  1..19 decimal digits, no sign.
//   Duration: at most 64 chars that parse_duration() accepts.
//   Word:     1..255 of [A-Za-z0-9_.:/@=+-], without ".." (no path climbing).
//   Url:      http:// or https:// then 1..2048 chars without " ' ` < > \.
//             Not shell-safe ('&', ';' are legal in URLs): for parameters.
std::optional<std::string> check_value(ValueType type, std::string_view value);

// `value` as one shell word: as is when it holds only [A-Za-z0-9_.,:/@=+-]
// and does not start with '=', else single-quoted (a ' inside written '\'').
std::string shell_word(std::string_view value);

// Where placeholder paths are looked up: "labels.x", "annotations.x",
// "cluster.name", "finding.x" and so on, flattened into one map.
using TemplateScope = std::map<std::string, std::string>;

class Template {
 public:
  // Parses `{{ path }}`, `{{ path | TYPE }}`, `{{ path | default VALUE }}`
  // (filters in any order, at most one of each; VALUE may be "quoted"; it
  // cannot contain '|' or "}}"). Paths are '.'-separated segments of
  // [A-Za-z0-9_-]; which roots are allowed is the caller's business. An
  // unterminated "{{", an empty path or an unknown filter is an error.
  // Literal text is kept as is.
  static Result<Template> parse(std::string_view text);

  // Fills every placeholder. A missing or empty value takes the default, else
  // fails with "PATH is missing". Each value is checked against the type named
  // in its filter, else `default_type`, and refused with the reason if it
  // fails; it is never truncated or escaped. Literal text is not checked.
  //
  // With Quoting::Shell (suggested commands, to be pasted into a shell), a
  // value holding anything but [A-Za-z0-9_.,:/@=+-] (or starting with '=')
  // is single-quoted, so
  // that it stays one word and nothing in it ($, ;, >, *, spaces) is read
  // by the shell; a rule must not quote placeholders itself (the loader
  // refuses a quote next to one).
  enum class Quoting { None, Shell };
  Result<std::string> render(const TemplateScope& scope, ValueType default_type,
                             Quoting quoting = Quoting::None) const;

  // Checks every `default` value as render() would; nullopt when all pass.
  std::optional<std::string> check_defaults(ValueType default_type) const;

  // Paths the template reads, e.g. {"labels.stream"}.
  std::vector<std::string> paths() const;
  const std::string& source() const { return source_; }
  bool has_placeholders() const;

 private:
  struct Part {
    std::string literal;  // when path is empty
    std::string path;
    std::optional<ValueType> type;
    std::optional<std::string> fallback;
  };
  std::string source_;
  std::vector<Part> parts_;
};

}  // namespace rr
