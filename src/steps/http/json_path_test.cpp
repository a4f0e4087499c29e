#include <catch2/catch.hpp>

#include "rules/template.h"
#include "steps/http/json_path.h"

namespace rr::http {
namespace {

const nlohmann::json kDoc = nlohmann::json::parse(R"({
  "status": "degraded",
  "components": [{"name": "brain", "status": "healthy"},
                 {"name": "nats", "status": "unhealthy", "error": "timeout", "port": 4222},
                 {"name": "nats", "status": "second entry"}],
  "nested": {"a": {"b": [10, 20, {"c": true}]}},
  "7": "digits as a member"
})");

std::string at(const std::string& path) {
  auto p = parse_json_path(path);
  REQUIRE(p);
  JsonPathHit hit = find_json_path(kDoc, *p);
  return hit.value ? json_value_text(*hit.value) : "MISSING: " + hit.missing;
}

}  // namespace

TEST_CASE("json path: members, indexes and selectors") {
  CHECK(at("status") == "degraded");
  CHECK(at("components.name=nats.status") == "unhealthy");  // the first match
  CHECK(at("components.name=nats.error") == "timeout");
  CHECK(at("components.port=4222.name") == "nats");  // numbers compare as JSON
  CHECK(at("components.1.status") == "unhealthy");
  CHECK(at("nested.a.b.1") == "20");
  CHECK(at("nested.a.b.2.c") == "true");
  CHECK(at("nested.a") == R"({"b":[10,20,{"c":true}]})");
  CHECK(at("7") == "digits as a member");
  CHECK(at("").substr(0, 1) == "{");  // the whole document
}

TEST_CASE("json path: where a path leads nowhere, it says why") {
  CHECK(at("components.name=kafka.status") == "MISSING: components has no element with name=kafka");
  CHECK(at("components.name=nats.uptime") == "MISSING: components.name=nats has no member uptime");
  CHECK(at("status.name=x") == "MISSING: status is not an array");
  CHECK(at("components.9") == "MISSING: components has 3 elements, no element 9");
  CHECK(at("components.name") == "MISSING: components is an array, no member name");
  CHECK(at("status.x") == "MISSING: status is not an object, no member x");
  CHECK(at("nope") == "MISSING: the document has no member nope");
}

TEST_CASE("json path: the parent of a value is given for context") {
  auto p = parse_json_path("components.name=nats.status");
  REQUIRE(p);
  auto hit = find_json_path(kDoc, *p);
  REQUIRE(hit.parent != nullptr);
  CHECK(json_value_text(*hit.parent) == R"({"error":"timeout","name":"nats","port":4222,"status":"unhealthy"})");
}

TEST_CASE("json path: malformed paths are refused; good ones pass the word type") {
  CHECK_FALSE(parse_json_path("a..b"));
  CHECK_FALSE(parse_json_path(".a"));
  CHECK_FALSE(parse_json_path("a."));
  CHECK_FALSE(parse_json_path("a.=x"));
  CHECK_FALSE(parse_json_path("a.x="));
  CHECK_FALSE(parse_json_path("a.x=y=z"));
  CHECK_FALSE(parse_json_path(std::string(256, 'a')));
  std::string deep = "a";
  for (int i = 0; i < 32; ++i) deep += ".a";
  CHECK_FALSE(parse_json_path(deep));
  CHECK(parse_json_path("components.name=nats.status"));
  CHECK_FALSE(check_value(ValueType::Word, "components.name=nats.status"));
}

TEST_CASE("json path: values are made safe to show") {
  auto doc = nlohmann::json::parse("{\"v\": \"line1\\nline2\\u0007 \\u00e9\"}");
  auto hit = find_json_path(doc, *parse_json_path("v"));
  REQUIRE(hit.value);
  std::string text = json_value_text(*hit.value);
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find('\a') == std::string::npos);
  CHECK(text.find("\xc3\xa9") != std::string::npos);
  CHECK(json_value_text(nlohmann::json(std::string(1000, 'x')), 50).size() <= 50);
}

}  // namespace rr::http
