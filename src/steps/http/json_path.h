#pragma once
// A small path into a JSON document, written so that it passes the rule
// parameter type `word` (no brackets, quotes or commas):
//
//   path     := segment ('.' segment)*
//   segment  := NAME          member NAME of an object
//             | DIGITS        element of an array (or a member so named)
//             | NAME=VALUE    the first element of an array that is an
//                             object whose member NAME equals VALUE (a
//                             string, or a number/bool written as JSON)
//
// `components.name=nats.status` reads the Titan health body's NATS entry,
// like jq's `.components[] | select(.name=="nats") | .status`. The empty
// path is the whole document. Names and values cannot contain '.' or '='.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace rr::http {

struct JsonPath {
  struct Segment {
    std::string key;
    std::optional<std::string> equals;  // set for NAME=VALUE
  };
  std::vector<Segment> segments;
  std::string text;
};

// At most 32 segments of at most 255 bytes in all; no empty segment, no
// empty NAME or VALUE around '='.
Result<JsonPath> parse_json_path(std::string_view text);

struct JsonPathHit {
  const nlohmann::json* value = nullptr;   // null when the path leads nowhere
  const nlohmann::json* parent = nullptr;  // the object or array holding value
  std::string missing;  // why not found: "components has no element with name=nats"
};

// Walks `doc`; the pointers point into `doc`, which must outlive them.
JsonPathHit find_json_path(const nlohmann::json& doc, const JsonPath& path);

// A value as one line of text: strings as they are, everything else as
// compact JSON; made safe (valid UTF-8, no control bytes) and cut to
// `max_bytes`.
std::string json_value_text(const nlohmann::json& value, std::size_t max_bytes = 256);

}  // namespace rr::http
