#pragma once
// Walking a YAML document while collecting every error as "file:line:
// message" (line 1-based), so that one broken entry does not hide the next.
// Shared by the rule loader and the config loader: both reject unknown keys,
// both read the same `match:` map.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/result.h"
#include "common/time.h"
#include "rules/matcher.h"

namespace rr::yaml {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  // Parses `text`; a syntax error is recorded with its line and gives nullopt.
  std::optional<YAML::Node> load(const std::string& text);

  void error(const YAML::Node& at, std::string message);
  void error_at_line(int line, std::string message);
  int line(const YAML::Node& at) const;  // 1-based; the last known line if `at` has none

  const std::string& file() const { return file_; }
  std::size_t error_count() const { return errors_.size(); }
  // In line order (stable), whatever order the document was walked in.
  std::vector<Error> errors() const;

 private:
  std::string file_;
  mutable int last_line_ = 1;
  std::vector<std::pair<int, Error>> errors_;
};

// The entries of one YAML map, keyed by their string keys, after reporting
// keys that are not strings, not allowed, or repeated.
class Fields {
 public:
  // nullopt (and an error) when `node` is not a map. `allowed` empty: any key.
  static std::optional<Fields> read(Reader& r, const YAML::Node& node, std::string_view what,
                                    std::vector<std::string_view> allowed);

  // The value under `key`, or nullptr. The pointer lives as long as this.
  const YAML::Node* find(std::string_view key) const;
  // As find(), but a missing key is reported against the map.
  const YAML::Node* require(std::string_view key) const;
  // All entries in file order.
  const std::vector<std::pair<std::string, YAML::Node>>& entries() const { return entries_; }
  const YAML::Node& node() const { return node_; }

 private:
  Fields(Reader& r, YAML::Node node, std::string what) : r_(&r), node_(std::move(node)), what_(std::move(what)) {}
  Reader* r_;  // not owned; outlives this
  YAML::Node node_;
  std::string what_;
  std::vector<std::pair<std::string, YAML::Node>> entries_;
};

// Scalar readers: each reports its own error (naming `what`) and gives
// nullopt on failure.
std::optional<std::string> string_value(Reader& r, const YAML::Node& node, std::string_view what);
std::optional<std::vector<std::string>> string_list(Reader& r, const YAML::Node& node, std::string_view what);
std::optional<Nanos> duration_value(Reader& r, const YAML::Node& node, std::string_view what);
std::optional<std::int64_t> integer_value(Reader& r, const YAML::Node& node, std::string_view what,
                                          std::int64_t min, std::int64_t max);

// A `match:` map: every `label: value` pair is an equality matcher, and an
// optional `matchers:` list holds Matcher::parse() texts. Errors are
// reported per entry; nullopt if any entry was wrong.
std::optional<std::vector<Matcher>> match_map(Reader& r, const YAML::Node& node);

}  // namespace rr::yaml
