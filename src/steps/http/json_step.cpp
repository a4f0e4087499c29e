#include "steps/http/json_step.h"

#include <algorithm>
#include <cctype>
#include <new>

#include <fmt/format.h>

#include "common/text.h"
#include "steps/http/http_fetch.h"
#include "steps/http/json_path.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::http {
namespace {

using nats::get_bool;
using nats::get_int;
using nats::get_string;

struct TooDeep {};

// nullopt and `error` set when `body` is not JSON (or too deep to handle).
std::optional<nlohmann::json> parse_body(const std::string& body, std::string& error) {
  auto depth_guard = [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > JsonStep::kMaxDepth) throw TooDeep{};
    return true;
  };
  try {
    return nlohmann::json::parse(body, depth_guard);
  } catch (const TooDeep&) {
    error = fmt::format("JSON nested deeper than {} levels", JsonStep::kMaxDepth);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() may quote the offending bytes: made safe by one_line.
    error = nats::one_line(std::string("invalid JSON: ") + e.what(), 200);
  } catch (const std::bad_alloc&) {
    error = "JSON too large to parse";
  }
  return std::nullopt;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void read_value(const nlohmann::json& doc, const JsonPath& path, const std::string& expect, nlohmann::json& facts) {
  JsonPathHit hit = find_json_path(doc, path);
  facts["found"] = hit.value != nullptr;
  if (hit.value == nullptr) {
    facts["missing"] = nats::one_line(hit.missing);
  } else {
    facts["value"] = json_value_text(*hit.value);
    if (hit.parent != nullptr && hit.parent->is_object()) facts["context"] = json_value_text(*hit.parent, 512);
  }
  if (!expect.empty()) {
    facts["healthy"] = hit.value != nullptr && same_ignoring_case(json_value_text(*hit.value), expect);
  }
}

std::string summary_of(const nlohmann::json& facts) {
  std::string where = get_string(facts, "path").empty() ? "body" : get_string(facts, "path");
  std::string status = "HTTP " + std::to_string(get_int(facts, "status").value_or(0));
  if (!get_bool(facts, "reachable")) return "no answer: " + get_string(facts, "error");
  if (!get_string(facts, "error").empty()) return status + ": " + get_string(facts, "error");
  std::string s = status + ", " + where;
  if (!get_bool(facts, "found")) return s + " not found: " + get_string(facts, "missing");
  s += " = \"" + get_string(facts, "value") + "\"";
  if (facts.contains("healthy"))
    s += get_bool(facts, "healthy") ? " (healthy)" : " (expected \"" + get_string(facts, "expect") + "\")";
  return nats::one_line(s, 400);
}

std::optional<Error> check_plain_params(const std::map<std::string, std::string>& plain) {
  if (auto it = plain.find("path"); it != plain.end()) {
    if (auto parsed = parse_json_path(it->second); !parsed) return parsed.error();
  }
  return std::nullopt;
}

}  // namespace

StepCatalog::Check JsonStep::check() const { return check_plain_params; }

std::map<std::string, StepCatalog::Param> JsonStep::params() const {
  return {{"url", {ValueType::Url, true}}, {"path", {ValueType::Word, false}}, {"expect", {ValueType::Word, false}}};
}

StepResult JsonStep::run(const StepInput& input) const {
  return run_http_step(kName, input, [&](const Url& url, const std::string& raw_url, StepResult& result) {
    auto path = parse_json_path(input.param("path"));
    if (!path) {
      result.status = StepStatus::Failed;
      result.summary = "parameter path " + path.error().message;
      return;
    }
    const std::string expect = input.param("expect");
    Fetch f = fetch(url, raw_url, kMaxBytes, input.deadline);
    nlohmann::json& facts = f.facts;
    facts["path"] = path->text;
    if (!expect.empty()) facts["expect"] = expect;
    std::optional<nlohmann::json> doc;
    if (get_string(facts, "error").empty()) {
      std::string error;
      doc = parse_body(f.response.body, error);
      int status = f.response.status;
      if (!doc && (status < 200 || status > 299)) error = "HTTP " + std::to_string(status) + ", not JSON";
      facts["error"] = error;
    }
    if (doc) read_value(*doc, *path, expect, facts);
    result.summary = summary_of(facts);
    std::string out = "GET " + get_string(facts, "url") + ": " + result.summary + "\n";
    if (doc) out += doc->dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    result.output = nats::trim_step_output(sanitize_utf8(out));
    result.facts = std::move(facts);
  });
}

}  // namespace rr::http
