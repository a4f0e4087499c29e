#include <catch2/catch.hpp>

#include <cmath>

#include "steps/http/prom_text.h"

namespace rr::http {
namespace {

PromSample sample(const std::string& line) {
  std::string error;
  auto s = parse_prom_sample(line, &error);
  INFO(line << " -> " << error);
  REQUIRE(s);
  return *s;
}

std::string refusal(const std::string& line) {
  std::string error;
  auto s = parse_prom_sample(line, &error);
  CHECK_FALSE(s);
  return error;
}

}  // namespace

TEST_CASE("prom text: a plain sample and one with labels") {
  auto s = sample("cim_events_total 12345");
  CHECK(s.name == "cim_events_total");
  CHECK(s.labels.empty());
  CHECK(s.value == 12345);
  CHECK(s.value_text == "12345");
  CHECK_FALSE(s.timestamp_ms);

  auto l = sample(R"(nats_lag_messages{consumer="execution-consumer",stream="TITAN_INTENTS"} 42)");
  REQUIRE(l.labels.size() == 2);
  CHECK(*l.label("consumer") == "execution-consumer");
  CHECK(*l.label("stream") == "TITAN_INTENTS");
  CHECK(l.label("server") == nullptr);
  CHECK(l.value == 42);
}

TEST_CASE("prom text: escapes and odd characters in label values") {
  auto s = sample(R"(m{path="C:\\dir\\",msg="say \"hi\"\nbye",odd="a,b}c#d={}",raw="\q"} 1)");
  CHECK(*s.label("path") == "C:\\dir\\");
  CHECK(*s.label("msg") == "say \"hi\"\nbye");
  CHECK(*s.label("odd") == "a,b}c#d={}");
  CHECK(*s.label("raw") == "\\q");  // an unknown escape is kept as written
}

TEST_CASE("prom text: spacing, trailing commas, empty label sets") {
  CHECK(sample("m{a=\"1\",} 2").labels.size() == 1);
  CHECK(sample("m{ a = \"1\" , b=\"2\" } 2").labels.size() == 2);
  CHECK(sample("m{} 3").value == 3);
  CHECK(sample("\tm\t4").value == 4);
  CHECK(sample("m 5   ").value == 5);
  CHECK(sample("m{a=\"\"} 6").label("a")->empty());
}

TEST_CASE("prom text: Go float spellings, NaN and infinities") {
  CHECK(std::isnan(sample("m NaN").value));
  CHECK(sample("m +Inf").value == INFINITY);
  CHECK(sample("m -Inf").value == -INFINITY);
  CHECK(sample("m +Inf").value_text == "+Inf");
  CHECK(sample("m 1e3").value == 1000);
  CHECK(sample("m -0.5").value == -0.5);
  CHECK(sample("m +7").value == 7);
  CHECK(sample("m 1.5E-3").value == Approx(0.0015));
  CHECK(sample("m 1e999").value == INFINITY);
  CHECK(sample("m 18446744073709551615").value == Approx(1.8446744073709552e19));
}

TEST_CASE("prom text: timestamps and exemplars") {
  auto t = sample("m{a=\"b\"} 1 1700000000000");
  REQUIRE(t.timestamp_ms);
  CHECK(*t.timestamp_ms == 1700000000000);
  CHECK(*sample("m 1 -5").timestamp_ms == -5);
  auto e = sample(R"(rpc_bucket{le="0.5"} 12 # {trace_id="abc"} 0.4 1700000000)");
  CHECK(e.value == 12);
  CHECK_FALSE(e.timestamp_ms);
  CHECK(*sample(R"(m 1 1000 # {trace_id="abc"} 0.4)").timestamp_ms == 1000);
}

TEST_CASE("prom text: bad lines are refused with where, not what") {
  CHECK(refusal("m") == "missing value at byte 2");
  CHECK(refusal("m{a=\"1} 2").find("unterminated label value") == 0);
  CHECK(refusal("m{a=1} 2").find("expected '\"'") == 0);
  CHECK(refusal("m{a=\"1\" b=\"2\"} 2").find("expected ',' or '}'") == 0);
  CHECK(refusal("m{1a=\"1\"} 2").find("expected a label name") == 0);
  CHECK(refusal("m 12abc") == "invalid value at byte 8");
  CHECK(refusal("m 1 2 3") == "unexpected text after the value at byte 7");
  CHECK(refusal("m 1 1.5") == "invalid timestamp at byte 8");
  CHECK(refusal("m ++1") == "invalid value at byte 6");
  CHECK(refusal("9m 1") == "expected a metric name at byte 1");
  CHECK(refusal("{\"m.x\"} 1") == "quoted metric names are not supported at byte 1");
  CHECK(refusal("m{a=\"1\"}2").find("expected a space") == 0);
  CHECK(refusal("<html>").find("expected a metric name") == 0);
}

TEST_CASE("prom text: metric names") {
  CHECK(valid_metric_name("cim_events_total"));
  CHECK(valid_metric_name("job:rate5m:sum"));
  CHECK_FALSE(valid_metric_name(""));
  CHECK_FALSE(valid_metric_name("9lives"));
  CHECK_FALSE(valid_metric_name("a-b"));
  CHECK_FALSE(valid_metric_name(std::string(256, 'a')));
}

const char* kExposition =
    "# HELP cim_events_total Events received.\r\n"
    "# TYPE cim_events_total counter\r\n"
    "cim_events_total{stream=\"CIM-EVENTS\"} 12345 1700000000000\r\n"
    "cim_events_total{stream=\"OTHER\"} 7\r\n"
    "\r\n"
    "# HELP rpc Latency, with a # in the text and \\\"quotes\\\".\n"
    "# TYPE rpc histogram\n"
    "rpc_bucket{le=\"0.1\"} 3\n"
    "rpc_bucket{le=\"+Inf\"} 5\n"
    "rpc_sum 0.9\n"
    "rpc_count 5\n"
    "rpc_total_other 1\n"
    "# TYPE lat summary\n"
    "lat{quantile=\"0.99\"} NaN\n"
    "lat_sum 3\n"
    "lat_count 2\n"
    "gauge_count 9\n"
    "this is not a sample\n"
    "nats_lag_messages{consumer=\"execution-consumer\"} 42\n"
    "# EOF\n";

TEST_CASE("prom text: scanning picks series and their families") {
  PromScan scan = scan_prometheus(kExposition, {"cim_events_total", "rpc", "lat", "gauge", "nats_lag_messages", "absent"});
  REQUIRE(scan.series.size() == 6);
  CHECK(scan.bad_lines == 1);
  CHECK(scan.first_bad == "line 18: invalid value at byte 8");
  CHECK(scan.samples == 12);
  CHECK(scan.lines == 20);

  const auto& cim = scan.series[0];
  CHECK(cim.type == "counter");
  REQUIRE(cim.samples.size() == 2);
  CHECK(*cim.samples[0].label("stream") == "CIM-EVENTS");
  CHECK(cim.samples[0].line == "cim_events_total{stream=\"CIM-EVENTS\"} 12345 1700000000000");
  CHECK(*cim.samples[0].timestamp_ms == 1700000000000);

  const auto& rpc = scan.series[1];
  CHECK(rpc.type == "histogram");
  REQUIRE(rpc.samples.size() == 4);  // not rpc_total_other
  CHECK(rpc.samples[1].name == "rpc_bucket");
  CHECK(*rpc.samples[1].label("le") == "+Inf");
  CHECK(rpc.samples[3].name == "rpc_count");

  const auto& lat = scan.series[2];
  REQUIRE(lat.samples.size() == 3);
  CHECK(std::isnan(lat.samples[0].value));

  CHECK(scan.series[3].samples.empty());  // untyped: gauge_count is not "gauge"
  REQUIRE(scan.series[4].samples.size() == 1);
  CHECK(scan.series[4].samples[0].value == 42);
  CHECK(scan.series[5].samples.empty());
}

TEST_CASE("prom text: a label matcher filters and counts what it left out") {
  PromScan scan = scan_prometheus(kExposition, {"cim_events_total", "nats_lag_messages"}, {{"stream", "CIM-EVENTS"}});
  REQUIRE(scan.series[0].samples.size() == 1);
  CHECK(scan.series[0].samples[0].value == 12345);
  CHECK(scan.series[0].unmatched == 1);
  CHECK(scan.series[1].samples.empty());
  CHECK(scan.series[1].unmatched == 1);
}

TEST_CASE("prom text: caps on lines, line length and samples") {
  std::string many;
  for (int i = 0; i < 500; ++i) many += "m{i=\"" + std::to_string(i) + "\"} " + std::to_string(i) + "\n";
  PromScan capped = scan_prometheus(many, {"m"}, {}, PromLimits{.max_lines = 100, .max_samples_per_series = 10});
  CHECK(capped.lines == 100);
  CHECK(capped.lines_capped);
  CHECK(capped.series[0].samples.size() == 10);
  CHECK(capped.series[0].capped);
  CHECK(capped.series[0].samples[9].value == 9);

  std::string long_line = "m{a=\"" + std::string(20000, 'x') + "\"} 1\nm 2\n";
  PromScan scan = scan_prometheus(long_line, {"m"});
  CHECK(scan.bad_lines == 1);
  CHECK(scan.first_bad == "line 1: longer than 16384 bytes");
  REQUIRE(scan.series[0].samples.size() == 1);
  CHECK(scan.series[0].samples[0].value == 2);

  // Hostile bytes: NULs, binary, no final newline.
  const char raw[] = "m 1\n\0\0\xff\xfe garbage\nm{a=\"\xff\"} 3";
  std::string binary(raw, sizeof raw - 1);
  PromScan b = scan_prometheus(binary, {"m"});
  CHECK(b.bad_lines == 1);
  CHECK(b.series[0].samples.size() == 2);
  CHECK(scan_prometheus("", {"m"}).series[0].samples.empty());
}

}  // namespace rr::http
