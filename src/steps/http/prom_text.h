#pragma once
// Reading the Prometheus text exposition format (version 0.0.4, and the
// OpenMetrics text that most exporters also accept) from a server that may
// send anything: a bad line is counted and skipped, never fatal; every
// size is capped.
//
// Understood: `# HELP` and `# TYPE` lines (TYPE names a family, so asking
// for a histogram `x` also finds `x_bucket`, `x_sum`, `x_count`), other
// comments and `# EOF`, blank lines, `\r\n` endings, labels with escaped
// `\\`, `\"` and `\n` and a trailing comma, values written as Go writes
// floats (`NaN`, `+Inf`, `-Inf`, `1e3`), an optional integer timestamp,
// and OpenMetrics exemplars (` # {...} v`, ignored).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rr::http {

struct PromSample {
  std::string name;                                         // full name, e.g. "x_bucket"
  std::vector<std::pair<std::string, std::string>> labels;  // in the order written, unescaped
  std::string value_text;  // as written, e.g. "12345", "NaN", "+Inf"
  double value = 0;        // NaN and infinities included
  std::optional<std::int64_t> timestamp_ms;
  std::string line;  // the line as the server sent it, for output

  const std::string* label(std::string_view name) const;  // null when absent
};

// One sample line (no comment, no newline). nullopt with `error` set when
// the line is not a valid sample; `error` says what is wrong at which byte
// offset and never quotes the line.
std::optional<PromSample> parse_prom_sample(std::string_view line, std::string* error = nullptr);

// [a-zA-Z_:][a-zA-Z0-9_:]*, at most 255 bytes.
bool valid_metric_name(std::string_view name);

struct PromLimits {
  std::size_t max_lines = 200000;        // lines read; the rest is ignored
  std::size_t max_line_bytes = 16384;    // a longer line is a bad line
  std::size_t max_samples_per_series = 200;  // kept per wanted series
};

struct PromSeries {
  std::string name;  // as asked
  std::string type;  // from `# TYPE`, "" when none was given
  std::vector<PromSample> samples;  // matching `match`, in the order written
  std::size_t unmatched = 0;  // samples of this series that `match` left out
  bool capped = false;        // more than max_samples_per_series matched
};

struct PromScan {
  std::vector<PromSeries> series;  // one per wanted name, in the order asked
  std::size_t lines = 0;           // lines read
  std::size_t samples = 0;         // valid sample lines, wanted or not
  std::size_t bad_lines = 0;
  std::string first_bad;  // "line 7: ..." for the first bad line
  bool lines_capped = false;
};

// Picks out the samples of `wanted` (metric or family names) whose labels
// include `match` (label name -> value; empty: every sample).
PromScan scan_prometheus(std::string_view text, const std::vector<std::string>& wanted,
                         const std::vector<std::pair<std::string, std::string>>& match = {},
                         const PromLimits& limits = {});

}  // namespace rr::http
