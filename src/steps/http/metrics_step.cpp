#include "steps/http/metrics_step.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <set>

#include "common/text.h"
#include "steps/http/http_fetch.h"
#include "steps/http/prom_text.h"
#include "steps/nats/json_read.h"
#include "steps/nats/step_run.h"

namespace rr::http {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_string;

Result<std::vector<std::string>> parse_series(const std::string& text) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& part : split(text, ',')) {
    std::string name(trim(part));
    if (!valid_metric_name(name)) return Error{"series", "holds a name that is not a metric name"};
    if (seen.insert(name).second) names.push_back(name);
  }
  if (names.empty()) return Error{"series", "names no metric"};
  if (names.size() > MetricsStep::kMaxSeries) return Error{"series", "names more than 20 metrics"};
  return names;
}

Result<std::vector<std::pair<std::string, std::string>>> parse_match(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> match;
  if (text.empty()) return match;
  auto eq = text.find('=');
  std::string name = text.substr(0, eq);
  bool name_ok = !name.empty() && valid_metric_name(name) && name.find(':') == std::string::npos;
  if (eq == std::string::npos || !name_ok || eq + 1 == text.size())
    return Error{"match", "is not LABEL=VALUE"};
  match.emplace_back(name, text.substr(eq + 1));
  return match;
}

struct Max {
  std::string series;
  double value = 0;
};

// "NAME=NUMBER", NAME one of the `series` (any, when `names` is null: the
// series are not known yet): the most any sample of it may read before the
// judge calls it too high.
Result<std::optional<Max>> parse_max(const std::string& text, const std::vector<std::string>* names) {
  if (text.empty()) return std::optional<Max>();
  auto eq = text.find('=');
  if (eq == std::string::npos) return Error{"max", "is not SERIES=NUMBER"};
  Max max{text.substr(0, eq), 0};
  if (names && std::find(names->begin(), names->end(), max.series) == names->end())
    return Error{"max", "names a metric that `series` does not"};
  const std::string number = text.substr(eq + 1);
  const char* end = number.data() + number.size();
  auto [ptr, ec] = std::from_chars(number.data(), end, max.value);
  if (number.empty() || ec != std::errc() || ptr != end || !std::isfinite(max.value))
    return Error{"max", "is not SERIES=NUMBER"};
  return std::optional<Max>(max);
}

nlohmann::json sample_facts(const PromSample& s) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : s.labels) labels[k] = nats::one_line(v);
  nlohmann::json j = {{"name", s.name}, {"labels", std::move(labels)}, {"value", s.value_text}};
  if (std::isfinite(s.value)) j["number"] = s.value;
  if (s.timestamp_ms) j["timestamp_ms"] = *s.timestamp_ms;
  return j;
}

// The body minus a line the size cap cut in two: "12345" cut to "123"
// would still parse.
std::string_view whole_lines(const HttpResponse& r) {
  std::string_view body = r.body;
  if (!r.truncated) return body;
  auto nl = body.rfind('\n');
  return nl == std::string_view::npos ? std::string_view() : body.substr(0, nl + 1);
}

void scan_facts(const HttpResponse& r, const std::vector<std::string>& names,
                const std::vector<std::pair<std::string, std::string>>& match, nlohmann::json& facts,
                std::string& output) {
  PromScan scan = scan_prometheus(whole_lines(r), names, match);
  nlohmann::json series = nlohmann::json::array();
  nlohmann::json missing = nlohmann::json::array();
  for (const auto& s : scan.series) {
    nlohmann::json samples = nlohmann::json::array();
    for (const auto& sample : s.samples) {
      samples.push_back(sample_facts(sample));
      output += nats::one_line(sample.line, 512) + "\n";
    }
    if (s.samples.empty()) {
      missing.push_back(s.name);
      output += "# " + s.name + ": no sample" +
                (s.unmatched ? " with the label (" + std::to_string(s.unmatched) + " with other labels)" : "") + "\n";
    }
    series.push_back({{"name", s.name},
                      {"type", nats::one_line(s.type, 32)},
                      {"found", !s.samples.empty()},
                      {"samples", std::move(samples)},
                      {"unmatched", s.unmatched},
                      {"capped", s.capped}});
  }
  facts["series"] = std::move(series);
  facts["missing"] = std::move(missing);
  facts["lines"] = scan.lines;
  facts["bad_lines"] = scan.bad_lines;
  if (scan.bad_lines > 0) facts["first_bad"] = nats::one_line(scan.first_bad);
  std::string error = get_string(facts, "error");
  if (error.empty() && (r.status < 200 || r.status > 299)) error = "HTTP " + std::to_string(r.status);
  if (error.empty() && scan.samples == 0 && scan.bad_lines > 0) error = "not Prometheus text: " + scan.first_bad;
  if (error.empty() && scan.lines_capped) error = "more than " + std::to_string(PromLimits{}.max_lines) + " lines";
  facts["error"] = nats::one_line(error);
  facts["complete"] = error.empty();
}

std::string summary_of(const nlohmann::json& facts) {
  if (!get_bool(facts, "reachable")) return "no answer: " + get_string(facts, "error");
  std::string s;
  for (const auto& series : field(facts, "series")) {
    const auto& samples = field(series, "samples");
    if (samples.empty()) continue;
    if (!s.empty()) s += ", ";
    s += get_string(series, "name") + " ";
    s += samples.size() == 1 ? get_string(samples[0], "value") : std::to_string(samples.size()) + " samples";
  }
  std::string absent;
  for (const auto& name : field(facts, "missing")) absent += (absent.empty() ? "" : ", ") + name.get<std::string>();
  if (!absent.empty()) s += (s.empty() ? "" : "; ") + std::string("absent: ") + absent;
  if (!get_string(facts, "error").empty()) s = get_string(facts, "error") + (s.empty() ? "" : "; " + s);
  return nats::one_line(s, 400);
}

std::optional<Error> check_plain_params(const std::map<std::string, std::string>& plain) {
  std::optional<std::vector<std::string>> names;
  if (auto it = plain.find("series"); it != plain.end()) {
    auto parsed = parse_series(it->second);
    if (!parsed) return parsed.error();
    names = std::move(*parsed);
  }
  if (auto it = plain.find("match"); it != plain.end()) {
    if (auto parsed = parse_match(it->second); !parsed) return parsed.error();
  }
  if (auto it = plain.find("max"); it != plain.end()) {
    if (auto parsed = parse_max(it->second, names ? &*names : nullptr); !parsed) return parsed.error();
  }
  return std::nullopt;
}

}  // namespace

StepCatalog::Check MetricsStep::check() const { return check_plain_params; }

std::map<std::string, StepCatalog::Param> MetricsStep::params() const {
  return {{"url", {ValueType::Url, true}},
          {"series", {ValueType::Name, true}},
          {"match", {ValueType::Word, false}},
          {"max", {ValueType::Word, false}}};
}

StepResult MetricsStep::run(const StepInput& input) const {
  return run_http_step(kName, input, [&](const Url& url, const std::string& raw_url, StepResult& result) {
    auto names = parse_series(input.param("series"));
    auto match = parse_match(input.param("match"));
    auto max = names ? parse_max(input.param("max"), &*names) : Result<std::optional<Max>>(std::optional<Max>());
    if (!names || !match || !max) {
      result.status = StepStatus::Failed;
      const Error& e = !names ? names.error() : !match ? match.error() : max.error();
      result.summary = "parameter " + e.to_string();
      return;
    }
    Fetch f = fetch(url, raw_url, kMaxBytes, input.deadline);
    nlohmann::json& facts = f.facts;
    nlohmann::json match_facts = nlohmann::json::object();
    for (const auto& [k, v] : *match) match_facts[k] = v;
    facts["match"] = std::move(match_facts);
    if (*max) facts["max"] = {{"series", (*max)->series}, {"value", (*max)->value}};
    std::string output;
    if (f.response.status != 0) {
      scan_facts(f.response, *names, *match, facts, output);
    } else {
      facts["complete"] = false;
    }
    result.summary = summary_of(facts);
    result.output = nats::trim_step_output("GET " + get_string(facts, "url") + ": " + result.summary + "\n" + output);
    result.facts = std::move(facts);
  });
}

}  // namespace rr::http
