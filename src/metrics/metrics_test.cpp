#include "metrics/metrics.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/process.h"

using namespace rr;

namespace {

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}


// Fills a registry with every kind of metric and every escaping case.
void populate(Metrics& m) {
  auto& plain = m.counter("rr_test_plain_total", "A counter without labels.");
  plain.inc({});
  plain.inc({}, 2.5);
  auto& by = m.counter("rr_test_by_reason_total", "Help with a \\ backslash\nand a newline.", {"reason", "rule"});
  by.inc({"quote\"d", "back\\slash"});
  by.inc({"new\nline", "plain"}, 3);
  by.inc({"", "utf8 é ✓"});
  auto& h = m.histogram("rr_test_latency_seconds", "A histogram.", {"kind"}, {0.1, 0.5, 1});
  h.observe({"a"}, 0.05);
  h.observe({"a"}, 0.1);  // inclusive upper bound
  h.observe({"a"}, 0.7);
  h.observe({"a"}, 42);
  h.observe({"b"}, 0.3);
  auto& bare = m.histogram("rr_test_bare_seconds", "A histogram without labels.", {}, {1, 2});
  bare.observe({}, 1.5);
  m.gauge("rr_test_depth", "A gauge.", [] { return 7.0; });
  m.gauge("rr_test_nan", "A gauge that reads NaN.", [] { return std::nan(""); });
  m.gauge("rr_test_broken", "A gauge whose reader throws.", []() -> double { throw std::runtime_error("x"); });
}

std::string populated_text() {
  Metrics m;
  populate(m);
  return m.expose();
}

}  // namespace

TEST_CASE("Counters keep values per label set and are exposed with their names as given") {
  Metrics m;
  auto& c = m.counter("rr_things_total", "Things.", {"kind"});
  c.inc({"a"});
  c.inc({"a"}, 2);
  c.inc({"b"});
  CHECK(c.value({"a"}) == 3);
  CHECK(c.value({"b"}) == 1);
  CHECK(c.value({"never"}) == 0);
  auto text = m.expose();
  CHECK(contains(text, "# HELP rr_things_total Things.\n"));
  CHECK(contains(text, "# TYPE rr_things_total counter\n"));
  CHECK(contains(text, "rr_things_total{kind=\"a\"} 3\n"));
  CHECK(contains(text, "rr_things_total{kind=\"b\"} 1\n"));
}

TEST_CASE("Label values are escaped") {
  auto text = populated_text();
  CHECK(contains(text, R"(rr_test_by_reason_total{reason="quote\"d",rule="back\\slash"} 1)"));
  CHECK(contains(text, R"(rr_test_by_reason_total{reason="new\nline",rule="plain"} 3)"));
  CHECK(contains(text, "# HELP rr_test_by_reason_total Help with a \\\\ backslash\\nand a newline.\n"));
}

TEST_CASE("Histograms are cumulative with +Inf, _sum and _count") {
  auto text = populated_text();
  CHECK(contains(text, "# TYPE rr_test_latency_seconds histogram\n"));
  CHECK(contains(text, "rr_test_latency_seconds_bucket{kind=\"a\",le=\"0.1\"} 2\n"));
  CHECK(contains(text, "rr_test_latency_seconds_bucket{kind=\"a\",le=\"0.5\"} 2\n"));
  CHECK(contains(text, "rr_test_latency_seconds_bucket{kind=\"a\",le=\"1\"} 3\n"));
  CHECK(contains(text, "rr_test_latency_seconds_bucket{kind=\"a\",le=\"+Inf\"} 4\n"));
  CHECK(contains(text, "rr_test_latency_seconds_sum{kind=\"a\"} 42.85\n"));
  CHECK(contains(text, "rr_test_latency_seconds_count{kind=\"a\"} 4\n"));
  CHECK(contains(text, "rr_test_latency_seconds_bucket{kind=\"b\",le=\"0.1\"} 0\n"));
  CHECK(contains(text, "rr_test_bare_seconds_bucket{le=\"2\"} 1\n"));
  CHECK(contains(text, "rr_test_bare_seconds_count 1\n"));
}

TEST_CASE("Gauges are read at exposition; special values use Prometheus spelling") {
  auto text = populated_text();
  CHECK(contains(text, "# TYPE rr_test_depth gauge\nrr_test_depth 7\n"));
  CHECK(contains(text, "rr_test_nan NaN\n"));
  CHECK(contains(text, "# TYPE rr_test_broken gauge\n"));
  CHECK_FALSE(contains(text, "\nrr_test_broken "));  // no sample from a throwing reader
}

TEST_CASE("Wrong label counts, negative increments and NaN are dropped and counted, not crashes") {
  Metrics m;
  auto& c = m.counter("rr_x_total", "X.", {"a", "b"});
  c.inc({"only-one"});
  c.inc({"1", "2", "3"});
  c.inc({"1", "2"}, -1);
  c.inc({"1", "2"});
  auto& h = m.histogram("rr_y_seconds", "Y.", {"k"}, {1});
  h.observe({}, 1);
  h.observe({"k"}, std::nan(""));
  h.observe({"k"}, 0.5);
  CHECK(c.value({"1", "2"}) == 1);
  CHECK(c.dropped() == 3);
  CHECK(h.count({"k"}) == 1);
  CHECK(h.dropped() == 2);
  auto text = m.expose();
  CHECK(contains(text, "rr_metrics_dropped_observations_total{metric=\"rr_x_total\"} 3\n"));
  CHECK(contains(text, "rr_metrics_dropped_observations_total{metric=\"rr_y_seconds\"} 2\n"));
}

TEST_CASE("Registration is idempotent and rejects programming errors") {
  Metrics m;
  auto& a = m.counter("rr_a_total", "A.", {"x"});
  CHECK(&m.counter("rr_a_total", "A again.", {"x"}) == &a);
  auto& h = m.histogram("rr_h_seconds", "H.", {}, {1, 2});
  CHECK(&m.histogram("rr_h_seconds", "H.", {}, {1, 2, INFINITY}) == &h);
  CHECK_THROWS_AS(m.counter("rr_a_total", "A.", {"y"}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("rr_a_total", "A.", {}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(m.gauge("rr_a_total", "A.", [] { return 1.0; }), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("rr bad", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("9lives_total", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("rr_ok_total", "x", {"__reserved"}), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("rr_ok_total", "x", {"dup", "dup"}), std::invalid_argument);
  CHECK_THROWS_AS(m.counter("rr_metrics_dropped_observations_total", "x"), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("rr_le_seconds", "x", {"le"}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("rr_b_seconds", "x", {}, {2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("rr_c_seconds", "x", {}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(m.histogram("rr_d_seconds", "x", {}, {std::nan("")}), std::invalid_argument);
  m.gauge("rr_g", "G.", [] { return 1.0; });
  m.gauge("rr_g", "G.", [] { return 2.0; });  // replaces the reader
  auto text = m.expose();
  CHECK(contains(text, "rr_g 2\n"));
  CHECK_FALSE(contains(text, "rr_g 1\n"));
}

TEST_CASE("Concurrent observations are all counted") {
  Metrics m;
  auto& c = m.counter("rr_conc_total", "C.", {"t"});
  auto& h = m.histogram("rr_conc_seconds", "H.", {}, {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5000; ++i) {
        c.inc({std::to_string(t % 2)});
        h.observe({}, i % 2 ? 0.1 : 1.0);
        if (i % 1000 == 0) (void)m.expose();
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(c.value({"0"}) + c.value({"1"}) == 20000);
  CHECK(h.count({}) == 20000);
  CHECK(contains(m.expose(), "rr_conc_seconds_bucket{le=\"0.5\"} 10000\n"));
}

TEST_CASE("promtool accepts the exposition") {
  if (test::find_program("promtool").empty()) {
    WARN("promtool is not installed: skipping the exposition check");
    return;
  }
  auto text = populated_text();
  auto r = test::run({"promtool", "check", "metrics"}, std::chrono::seconds(30), text);
  INFO(text);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.empty());
}

TEST_CASE("promtool accepts an empty registry") {
  if (test::find_program("promtool").empty()) {
    WARN("promtool is not installed: skipping the exposition check");
    return;
  }
  Metrics m;
  auto r = test::run({"promtool", "check", "metrics"}, std::chrono::seconds(30), m.expose());
  INFO(r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("a labelled gauge exposes every series its reader returns, sorted and escaped") {
  Metrics m;
  m.gauge("rr_test_depth", "Depth.", {"target"}, [] {
    return std::vector<GaugeSample>{{{"slack"}, 3}, {{"pager\"duty"}, 1}, {{"too", "many"}, 9}};
  });
  std::string out = m.expose();
  CHECK(out.find("# TYPE rr_test_depth gauge\nrr_test_depth{target=\"pager\\\"duty\"} 1\nrr_test_depth{target=\"slack\"} 3\n") !=
        std::string::npos);
  CHECK(out.find("} 9") == std::string::npos);  // the sample with two label values is skipped
  CHECK_THROWS_AS(m.gauge("rr_test_depth", "Depth.", {"other"}, [] { return std::vector<GaugeSample>{}; }),
                  std::invalid_argument);
}
