#pragma once
// A small, thread-safe Prometheus registry: labelled counters, gauges and
// histograms, exposed in the text format that `promtool check metrics`
// accepts. Metric objects are owned by the registry and live as long as it.
//
// Registration is idempotent: asking again for a name returns the same
// family (so call sites may register where they observe). It throws
// std::invalid_argument for programming errors only: an invalid metric or
// label name, a name already used with another kind or other label names,
// or histogram bounds that are not finite and strictly increasing.
//
// Observations never throw: one with the wrong number of label values, a
// negative counter increment or a NaN is dropped, and counted in
// rr_metrics_dropped_observations_total{metric="<name>"}.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace rr {

class CounterFamily {
 public:
  void inc(const std::vector<std::string>& label_values, double by = 1);
  double value(const std::vector<std::string>& label_values) const;  // 0 if never seen
  std::uint64_t dropped() const;  // observations dropped as invalid

 private:
  friend class Metrics;
  CounterFamily(std::string name, std::string help, std::vector<std::string> labels);
  std::string name_, help_;
  std::vector<std::string> labels_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, double> values_;
  std::uint64_t dropped_ = 0;
};

class HistogramFamily {
 public:
  void observe(const std::vector<std::string>& label_values, double value);
  std::uint64_t count(const std::vector<std::string>& label_values) const;  // 0 if never seen
  std::uint64_t dropped() const;  // observations dropped as invalid

 private:
  friend class Metrics;
  struct Series {
    std::vector<std::uint64_t> buckets;  // cumulative at exposition
    double sum = 0;
    std::uint64_t count = 0;
  };
  HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                  std::vector<double> bounds);
  std::string name_, help_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::vector<std::string>, Series> series_;
  std::uint64_t dropped_ = 0;
};

// One series of a labelled gauge, as its reader returns it.
struct GaugeSample {
  std::vector<std::string> label_values;
  double value = 0;
};

class Metrics {
 public:
  CounterFamily& counter(const std::string& name, const std::string& help,
                         std::vector<std::string> labels = {});
  HistogramFamily& histogram(const std::string& name, const std::string& help,
                             std::vector<std::string> labels, std::vector<double> bounds);
  // A gauge read at exposition time (outside the registry's lock, so the
  // reader may take its own locks). Registering a name again replaces the
  // reader. A reader that throws is skipped for that exposition.
  void gauge(const std::string& name, const std::string& help, std::function<double()> read);
  // A labelled gauge: the reader returns every series at exposition time.
  // Samples with the wrong number of label values are skipped.
  void gauge(const std::string& name, const std::string& help, std::vector<std::string> labels,
             std::function<std::vector<GaugeSample>()> read);

  std::string expose() const;  // Prometheus text format 0.0.4

 private:
  bool name_taken_locked(const std::string& name) const;  // any kind; mu_ held

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  struct Gauge {
    std::string name, help;
    std::vector<std::string> labels;
    std::function<std::vector<GaugeSample>()> read;
  };
  std::vector<Gauge> gauges_;
};

}  // namespace rr
