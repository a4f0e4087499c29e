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

// nullopt when `value` is acceptable as `type`, else why not.
std::optional<std::string> check_value(ValueType type, std::string_view value);

// Where placeholder paths are looked up: "labels.x", "annotations.x",
// "cluster.name", "finding.x" and so on, flattened into one map.
using TemplateScope = std::map<std::string, std::string>;

class Template {
 public:
  // Parses `{{ ... }}` placeholders; literal text is kept as is.
  static Result<Template> parse(std::string_view text);

  // Fills every placeholder. Each value is checked against the type named in
  // its filter, else against `default_type`. Literal text is not checked.
  Result<std::string> render(const TemplateScope& scope, ValueType default_type) const;

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
