#include "metrics/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "common/text.h"

namespace rr {

namespace {

constexpr const char* kDroppedName = "rr_metrics_dropped_observations_total";

bool valid_metric_name(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool valid_label_name(std::string_view s) {
  if (s.empty() || starts_with(s, "__")) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void check_names(const std::string& name, const std::vector<std::string>& labels, bool histogram) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + name);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!valid_label_name(labels[i]) || (histogram && labels[i] == "le"))
      throw std::invalid_argument("invalid label name for " + name + ": " + labels[i]);
    for (std::size_t j = 0; j < i; ++j)
      if (labels[i] == labels[j]) throw std::invalid_argument("duplicate label for " + name + ": " + labels[i]);
  }
}

// Go's strconv.ParseFloat, which Prometheus uses, reads what fmt writes,
// except for the special values.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

// HELP text escapes backslash and newline; label values also the double quote.
std::string escape(std::string_view raw, bool quote) {
  std::string s = sanitize_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

// `{a="x",b="y"}` with an optional extra pair (the histogram's le) last.
std::string label_block(const std::vector<std::string>& names, const std::vector<std::string>& values,
                        std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    out += names[i] + "=\"" + escape(values[i], true) + '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + '"';
  }
  return out + "}";
}

void header(std::string& out, const std::string& name, const std::string& help, const char* type) {
  out += "# HELP " + name + ' ' + escape(help, false) + '\n';
  out += "# TYPE " + name + ' ' + type + '\n';
}

}  // namespace

// ---- CounterFamily ----

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> labels)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {}

void CounterFamily::inc(const std::vector<std::string>& label_values, double by) {
  std::lock_guard lock(mu_);
  if (label_values.size() != labels_.size() || !(by >= 0) || std::isinf(by)) {
    ++dropped_;
    return;
  }
  values_[label_values] += by;
}

double CounterFamily::value(const std::vector<std::string>& label_values) const {
  std::lock_guard lock(mu_);
  auto it = values_.find(label_values);
  return it == values_.end() ? 0 : it->second;
}

std::uint64_t CounterFamily::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

// ---- HistogramFamily ----

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> labels,
                                 std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)), bounds_(std::move(bounds)) {}

void HistogramFamily::observe(const std::vector<std::string>& label_values, double value) {
  std::lock_guard lock(mu_);
  if (label_values.size() != labels_.size() || std::isnan(value)) {
    ++dropped_;
    return;
  }
  Series& s = series_[label_values];
  if (s.buckets.empty()) s.buckets.assign(bounds_.size(), 0);
  // Buckets are inclusive upper bounds; above the last one only +Inf counts it.
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  if (it != bounds_.end()) ++s.buckets[static_cast<std::size_t>(it - bounds_.begin())];
  s.sum += value;
  ++s.count;
}

std::uint64_t HistogramFamily::count(const std::vector<std::string>& label_values) const {
  std::lock_guard lock(mu_);
  auto it = series_.find(label_values);
  return it == series_.end() ? 0 : it->second.count;
}

std::uint64_t HistogramFamily::dropped() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

// ---- Metrics ----

bool Metrics::name_taken_locked(const std::string& name) const {
  auto same = [&](const auto& f) { return f->name_ == name; };
  return name == kDroppedName || std::any_of(counters_.begin(), counters_.end(), same) ||
         std::any_of(histograms_.begin(), histograms_.end(), same) ||
         std::any_of(gauges_.begin(), gauges_.end(), [&](const Gauge& g) { return g.name == name; });
}

CounterFamily& Metrics::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
  check_names(name, labels, false);
  std::lock_guard lock(mu_);
  for (auto& c : counters_) {
    if (c->name_ != name) continue;
    if (c->labels_ != labels) throw std::invalid_argument("counter " + name + " registered with other labels");
    return *c;
  }
  if (name_taken_locked(name)) throw std::invalid_argument("metric " + name + " registered with another type");
  counters_.push_back(std::unique_ptr<CounterFamily>(new CounterFamily(name, help, std::move(labels))));
  return *counters_.back();
}

HistogramFamily& Metrics::histogram(const std::string& name, const std::string& help,
                                    std::vector<std::string> labels, std::vector<double> bounds) {
  check_names(name, labels, true);
  // The +Inf bucket is always exposed; accept it written out explicitly too.
  if (!bounds.empty() && std::isinf(bounds.back()) && bounds.back() > 0) bounds.pop_back();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && !(bounds[i] > bounds[i - 1])))
      throw std::invalid_argument("histogram " + name + ": bounds must be finite and strictly increasing");
  }
  std::lock_guard lock(mu_);
  for (auto& h : histograms_) {
    if (h->name_ != name) continue;
    if (h->labels_ != labels || h->bounds_ != bounds)
      throw std::invalid_argument("histogram " + name + " registered with other labels or bounds");
    return *h;
  }
  if (name_taken_locked(name)) throw std::invalid_argument("metric " + name + " registered with another type");
  histograms_.push_back(
      std::unique_ptr<HistogramFamily>(new HistogramFamily(name, help, std::move(labels), std::move(bounds))));
  return *histograms_.back();
}

void Metrics::gauge(const std::string& name, const std::string& help, std::function<double()> read) {
  if (!read) throw std::invalid_argument("gauge " + name + " without a reader");
  gauge(name, help, {}, [read = std::move(read)] { return std::vector<GaugeSample>{{{}, read()}}; });
}

void Metrics::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels,
                    std::function<std::vector<GaugeSample>()> read) {
  check_names(name, labels, false);
  if (!read) throw std::invalid_argument("gauge " + name + " without a reader");
  std::lock_guard lock(mu_);
  for (Gauge& g : gauges_) {
    if (g.name != name) continue;
    if (g.labels != labels) throw std::invalid_argument("gauge " + name + " registered with other labels");
    g.help = help;
    g.read = std::move(read);
    return;
  }
  if (name_taken_locked(name)) throw std::invalid_argument("metric " + name + " registered with another type");
  gauges_.push_back(Gauge{name, help, std::move(labels), std::move(read)});
}

std::string Metrics::expose() const {
  // Families are never removed, so the pointers stay valid after the
  // registry lock is released; each family then takes its own lock.
  std::vector<const CounterFamily*> counters;
  std::vector<const HistogramFamily*> histograms;
  std::vector<Gauge> gauges;
  {
    std::lock_guard lock(mu_);
    for (auto& c : counters_) counters.push_back(c.get());
    for (auto& h : histograms_) histograms.push_back(h.get());
    gauges = gauges_;
  }

  // One block per family, sorted by name so the output is stable.
  std::vector<std::pair<std::string, std::string>> blocks;
  std::string dropped_series;

  for (const CounterFamily* c : counters) {
    std::string out;
    header(out, c->name_, c->help_, "counter");
    std::lock_guard lock(c->mu_);
    for (const auto& [values, v] : c->values_) out += c->name_ + label_block(c->labels_, values) + ' ' + format_value(v) + '\n';
    if (c->dropped_)
      dropped_series += fmt::format("{}{{metric=\"{}\"}} {}\n", kDroppedName, c->name_, c->dropped_);
    blocks.emplace_back(c->name_, std::move(out));
  }

  for (const HistogramFamily* h : histograms) {
    std::string out;
    header(out, h->name_, h->help_, "histogram");
    std::lock_guard lock(h->mu_);
    for (const auto& [values, s] : h->series_) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < h->bounds_.size(); ++i) {
        cumulative += s.buckets[i];
        out += h->name_ + "_bucket" + label_block(h->labels_, values, "le", format_value(h->bounds_[i])) + ' ' +
               std::to_string(cumulative) + '\n';
      }
      out += h->name_ + "_bucket" + label_block(h->labels_, values, "le", "+Inf") + ' ' + std::to_string(s.count) + '\n';
      out += h->name_ + "_sum" + label_block(h->labels_, values) + ' ' + format_value(s.sum) + '\n';
      out += h->name_ + "_count" + label_block(h->labels_, values) + ' ' + std::to_string(s.count) + '\n';
    }
    if (h->dropped_)
      dropped_series += fmt::format("{}{{metric=\"{}\"}} {}\n", kDroppedName, h->name_, h->dropped_);
    blocks.emplace_back(h->name_, std::move(out));
  }

  for (const Gauge& g : gauges) {
    std::string out;
    header(out, g.name, g.help, "gauge");
    try {
      auto samples = g.read();
      std::sort(samples.begin(), samples.end(),
                [](const GaugeSample& a, const GaugeSample& b) { return a.label_values < b.label_values; });
      for (const GaugeSample& s : samples) {
        if (s.label_values.size() != g.labels.size()) continue;
        out += g.name + label_block(g.labels, s.label_values) + ' ' + format_value(s.value) + '\n';
      }
    } catch (...) {
      // A broken reader must not take the whole exposition down.
    }
    blocks.emplace_back(g.name, std::move(out));
  }

  std::string dropped;
  header(dropped, kDroppedName, "Metric observations dropped as invalid (wrong label count, negative or NaN).",
         "counter");
  blocks.emplace_back(kDroppedName, dropped + dropped_series);

  std::sort(blocks.begin(), blocks.end());
  std::string out;
  for (auto& b : blocks) out += b.second;
  return out;
}

}  // namespace rr
