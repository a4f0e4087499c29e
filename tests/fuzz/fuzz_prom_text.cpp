// Prometheus text exposition from any server (src/steps/http/prom_text.h):
// scan_prometheus as http.metrics calls it (wanted series, a label matcher),
// then the samples turned into facts as that step does, redacted, judged and
// written out; and every line through parse_prom_sample.

#include <cmath>
#include <string>

#include "common/text.h"
#include "fuzz_util.h"
#include "steps/http/prom_text.h"
#include "steps/nats/json_read.h"

namespace {

// steps/http/metrics_step.cpp sample_facts().
nlohmann::json sample_facts(const rr::http::PromSample& s) {
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : s.labels) labels[k] = rr::nats::one_line(v);
  nlohmann::json j = {{"name", s.name}, {"labels", std::move(labels)}, {"value", s.value_text}};
  if (std::isfinite(s.value)) j["number"] = s.value;
  if (s.timestamp_ms) j["timestamp_ms"] = *s.timestamp_ms;
  return j;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = rr::fuzz::text_of(data, size);
  std::vector<std::string> wanted = {"cim_events_total", "nats_lag_messages", "http_request_duration_seconds",
                                     "gnatsd_varz_mem"};
  // The first sample's name too, so the fuzzer's own series are looked up.
  rr::LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.empty() || line[0] == '#') continue;
    auto end = line.find_first_of("{ ");
    std::string name(line.substr(0, end));
    if (rr::http::valid_metric_name(name)) wanted.push_back(name);
    break;
  }

  rr::LineReader each(text);
  std::size_t n = 0;
  while (each.next(line) && n++ < 64) {
    std::string error;
    auto sample = rr::http::parse_prom_sample(line, &error);
    if (!sample) {
      RR_FUZZ_CHECK(!error.empty());
      continue;
    }
    RR_FUZZ_CHECK(rr::http::valid_metric_name(sample->name));
    for (const auto& [k, v] : sample->labels) (void)sample->label(k);
  }

  for (const auto& match : {std::vector<std::pair<std::string, std::string>>{},
                            std::vector<std::pair<std::string, std::string>>{{"stream", "CIM-EVENTS"}}}) {
    rr::http::PromScan scan = rr::http::scan_prometheus(text, wanted, match);
    RR_FUZZ_CHECK(scan.series.size() == wanted.size());
    RR_FUZZ_CHECK(scan.bad_lines == 0 || !scan.first_bad.empty());
    rr::StepResult r;
    r.id = "metrics";
    r.kind = "http.metrics";
    r.status = rr::StepStatus::Ok;
    nlohmann::json series = nlohmann::json::array();
    for (const auto& s : scan.series) {
      RR_FUZZ_CHECK(s.samples.size() <= rr::http::PromLimits{}.max_samples_per_series);
      nlohmann::json samples = nlohmann::json::array();
      for (const auto& sample : s.samples) {
        samples.push_back(sample_facts(sample));
        r.output += rr::nats::one_line(sample.line, 512) + "\n";
      }
      series.push_back({{"name", s.name}, {"type", rr::nats::one_line(s.type, 32)}, {"found", !s.samples.empty()},
                        {"samples", std::move(samples)}, {"unmatched", s.unmatched}, {"capped", s.capped}});
    }
    r.facts = {{"reachable", true}, {"code", 200}, {"series", std::move(series)}, {"lines", scan.lines},
               {"bad_lines", scan.bad_lines}, {"first_bad", rr::nats::one_line(scan.first_bad)}};
    rr::fuzz::judge_like_triage({std::move(r)}, nullptr);
  }
  return 0;
}
