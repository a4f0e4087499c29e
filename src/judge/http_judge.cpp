#include "judge/http_judge.h"

#include <fmt/format.h>

#include "judge/step_facts.h"
#include "steps/nats/json_read.h"

namespace rr {
namespace {

using nats::field;
using nats::get_bool;
using nats::get_int;
using nats::get_string;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string answer(const nlohmann::json& facts) {
  return "GET " + get_string(facts, "url") + " answered HTTP " + std::to_string(get_int(facts, "status").value_or(0));
}

// http.unreachable / http.invalid_reply; true when the step has no usable answer.
bool judge_answer(const StepResult& step, FindingSet& set) {
  const auto& facts = step.facts;
  const std::string url = get_string(facts, "url");
  const std::string error = get_string(facts, "error");
  if (!get_bool(facts, "reachable")) {
    Finding f;
    f.severity = Severity::Warning;
    f.code = "http.unreachable";
    f.title = url + " did not answer";
    f.detail = "GET " + url + " got no HTTP answer (" + error +
               "). The service may be down, not listening on this port, or blocked on the way.";
    f.evidence.push_back(step.id + ": GET " + url + ": " + error);
    f.values = {{"url", url}, {"error", error}};
    set.add(std::move(f), url);
    return true;
  }
  if (error.empty()) return false;
  Finding f;
  f.severity = Severity::Warning;
  f.code = "http.invalid_reply";
  f.title = url + " answered with nothing usable";
  f.detail = answer(facts) + ", but " + error + ".";
  f.evidence.push_back(step.id + ": " + answer(facts) + ": " + error);
  f.values = {{"url", url}, {"status", std::to_string(get_int(facts, "status").value_or(0))}, {"error", error}};
  set.add(std::move(f), url);
  return true;
}

void judge_health(const StepResult& step, FindingSet& set) {
  const auto& facts = step.facts;
  if (judge_answer(step, set)) return;
  if (!field(facts, "healthy").is_boolean() || get_bool(facts, "healthy")) return;
  const std::string url = get_string(facts, "url");
  const std::string path = get_string(facts, "path");
  const std::string where = path.empty() ? "the body" : path;
  const std::string expected = get_string(facts, "expect");
  const bool found = get_bool(facts, "found");
  const std::string value = found ? get_string(facts, "value") : "";
  Finding f;
  f.severity = Severity::Critical;
  f.code = "http.unhealthy";
  if (found) {
    f.title = url + ": " + where + " is " + quoted(value) + ", expected " + quoted(expected);
    f.detail = answer(facts) + " and reports " + where + " " + quoted(value) + " instead of " + quoted(expected) + ".";
    if (!get_string(facts, "context").empty()) f.detail += " The entry reads " + get_string(facts, "context") + ".";
  } else {
    f.title = url + ": no " + where + " in the health answer";
    f.detail = answer(facts) + " but " + get_string(facts, "missing") + ", so it cannot say " + where + " is " +
               quoted(expected) + ".";
  }
  f.evidence.push_back(step.id + ": " + answer(facts) + ", " + where + " = " +
                       (found ? quoted(value) : std::string("(absent)")));
  f.values = {{"url", url}, {"path", path}, {"value", value}, {"expected", expected}};
  set.add(std::move(f), url + "|" + path);
}

void judge_metrics(const StepResult& step, FindingSet& set) {
  const auto& facts = step.facts;
  if (judge_answer(step, set) || !get_bool(facts, "complete")) return;
  const std::string url = get_string(facts, "url");
  std::string label;
  for (const auto& [k, v] : field(facts, "match").items())
    if (v.is_string()) label = k + "=" + quoted(v.get<std::string>());
  for (const auto& series : field(facts, "series")) {
    if (get_bool(series, "found")) continue;
    const std::string name = get_string(series, "name");
    auto unmatched = get_int(series, "unmatched").value_or(0);
    Finding f;
    f.severity = Severity::Info;
    f.code = "metrics.missing";
    f.title = url + " exports no " + name + (label.empty() ? "" : "{" + label + "}");
    if (unmatched > 0) {
      f.detail = name + " has " + std::to_string(unmatched) + (unmatched == 1 ? " sample" : " samples") + " at " +
                 url + ", none with " + label +
                 ": the label value may differ from the one expected.";
    } else {
      f.detail = url + " has no " + name +
                 " series: the exporter may not have seen such events yet since it started, or the metric is "
                 "named differently.";
    }
    f.evidence.push_back(step.id + ": " + answer(facts) + ", " + std::to_string(get_int(facts, "lines").value_or(0)) +
                         " lines, no " + name + " sample" + (label.empty() ? "" : " with " + label));
    f.values = {{"url", url}, {"series", name}};
    set.add(std::move(f), url + "|" + name + "|" + label);
  }
}

// "412" rather than "412.000000"; fractions as written by fmt's shortest form.
std::string number_text(double v) { return fmt::format("{}", v); }

void judge_max(const StepResult& step, FindingSet& set) {
  const auto& facts = step.facts;
  const auto& max = field(facts, "max");
  if (!max.is_object() || !field(max, "value").is_number()) return;
  const std::string url = get_string(facts, "url");
  const std::string name = get_string(max, "series");
  const double limit = field(max, "value").get<double>();
  for (const auto& series : field(facts, "series")) {
    if (get_string(series, "name") != name) continue;
    for (const auto& sample : field(series, "samples")) {
      const auto& number = field(sample, "number");
      if (!number.is_number() || number.get<double>() <= limit) continue;
      std::string labels;
      for (const auto& [k, v] : field(sample, "labels").items())
        if (v.is_string()) labels += (labels.empty() ? "" : ",") + k + "=" + quoted(v.get<std::string>());
      const std::string sample_name = get_string(sample, "name") + (labels.empty() ? "" : "{" + labels + "}");
      const std::string value = number_text(number.get<double>());
      Finding f;
      f.severity = Severity::Warning;
      f.code = "metrics.over_max";
      f.title = sample_name + " is " + value + ", above " + number_text(limit);
      f.detail = url + " reports " + sample_name + " at " + value + "; the rule allows at most " + number_text(limit) +
                 ". What it measures has not come back to normal.";
      f.evidence.push_back(step.id + ": " + answer(facts) + ", " + sample_name + " " + get_string(sample, "value"));
      f.values = {{"url", url}, {"series", name}, {"value", value}, {"max", number_text(limit)}, {"labels", labels}};
      set.add(std::move(f), url + "|" + sample_name);
    }
  }
}

}  // namespace

void HttpJudge::judge(const std::vector<StepResult>& steps, const JudgeContext&, std::vector<Finding>& out) const {
  FindingSet set;
  for (const StepResult* step : results_of_kind(steps, "http.json")) judge_health(*step, set);
  for (const StepResult* step : results_of_kind(steps, "http.metrics")) {
    judge_metrics(*step, set);
    judge_max(*step, set);
  }
  set.move_to(out);
}

}  // namespace rr
