#include "steps/http/prom_text.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "common/text.h"

namespace rr::http {
namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
bool label_start(char c) { return name_start(c) && c != ':'; }
bool label_char(char c) { return label_start(c) || (c >= '0' && c <= '9'); }
bool blank(char c) { return c == ' ' || c == '\t'; }

// A cursor over one line that records the first error with its offset.
struct Cursor {
  std::string_view s;
  std::size_t pos = 0;
  std::string error;

  bool done() const { return pos >= s.size(); }
  char peek() const { return done() ? '\0' : s[pos]; }
  std::size_t skip_blanks() {
    std::size_t start = pos;
    while (!done() && blank(s[pos])) ++pos;
    return pos - start;
  }
  bool fail(const std::string& what) {
    if (error.empty()) error = what + " at byte " + std::to_string(pos + 1);
    return false;
  }
  std::string_view token() {
    std::size_t start = pos;
    while (!done() && !blank(s[pos])) ++pos;
    return s.substr(start, pos - start);
  }
};

bool read_label_value(Cursor& c, std::string& out) {
  if (c.peek() != '"') return c.fail("expected '\"' opening a label value");
  ++c.pos;
  while (!c.done()) {
    char ch = c.s[c.pos++];
    if (ch == '"') return true;
    if (ch != '\\') {
      out += ch;
      continue;
    }
    if (c.done()) break;
    char esc = c.s[c.pos++];
    if (esc == 'n') {
      out += '\n';
    } else if (esc == '\\' || esc == '"') {
      out += esc;
    } else {
      out += '\\';  // not an escape the format knows: kept as written
      out += esc;
    }
  }
  return c.fail("unterminated label value");
}

bool read_labels(Cursor& c, PromSample& sample) {
  ++c.pos;  // '{'
  for (;;) {
    c.skip_blanks();
    if (c.peek() == '}') {
      ++c.pos;
      return true;
    }
    if (!label_start(c.peek())) return c.fail("expected a label name or '}'");
    std::size_t start = c.pos;
    while (!c.done() && label_char(c.s[c.pos])) ++c.pos;
    std::string name(c.s.substr(start, c.pos - start));
    c.skip_blanks();
    if (c.peek() != '=') return c.fail("expected '=' after a label name");
    ++c.pos;
    c.skip_blanks();
    std::string value;
    if (!read_label_value(c, value)) return false;
    sample.labels.emplace_back(std::move(name), std::move(value));
    c.skip_blanks();
    if (c.peek() == ',') {
      ++c.pos;
    } else if (c.peek() != '}') {
      return c.fail("expected ',' or '}' after a label value");
    }
  }
}

// Go's strconv.ParseFloat spellings the exposition format uses.
bool parse_value(std::string_view text, double& out) {
  if (text.empty()) return false;
  std::string_view body = text;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body.empty() || body[0] == '+' || body[0] == '-') return false;
  double v = 0;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  // Overflow (1e999) reads as infinity, as in Go.
  if (ec == std::errc::result_out_of_range && end == body.data() + body.size()) {
    v = std::numeric_limits<double>::infinity();
  } else if (ec != std::errc() || end != body.data() + body.size()) {
    return false;
  }
  out = negative ? -v : v;
  return true;
}

bool parse_timestamp(std::string_view text, std::int64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> suffixes_of(std::string_view type) {
  if (type == "histogram") return {"_bucket", "_sum", "_count", "_created"};
  if (type == "gaugehistogram") return {"_bucket", "_gsum", "_gcount"};
  if (type == "summary") return {"_sum", "_count", "_created"};
  if (type == "counter") return {"_total", "_created"};
  if (type == "info") return {"_info"};
  return {};
}

bool belongs_to(const std::string& sample_name, const PromSeries& series) {
  if (sample_name == series.name) return true;
  if (!starts_with(sample_name, series.name)) return false;
  std::string_view rest = std::string_view(sample_name).substr(series.name.size());
  for (auto suffix : suffixes_of(series.type))
    if (rest == suffix) return true;
  return false;
}

bool labels_match(const PromSample& s, const std::vector<std::pair<std::string, std::string>>& match) {
  for (const auto& [k, v] : match) {
    const std::string* have = s.label(k);
    if (have == nullptr || *have != v) return false;
  }
  return true;
}

// "# TYPE name type": records the type of a wanted family.
void read_comment(std::string_view line, std::vector<PromSeries>& series) {
  Cursor c{line};
  ++c.pos;  // '#'
  c.skip_blanks();
  if (c.token() != "TYPE") return;
  c.skip_blanks();
  std::string_view name = c.token();
  c.skip_blanks();
  std::string_view type = c.token();
  for (auto& s : series)
    if (s.name == name && s.type.empty()) s.type = std::string(type);
}

}  // namespace

const std::string* PromSample::label(std::string_view name) const {
  for (const auto& [k, v] : labels)
    if (k == name) return &v;
  return nullptr;
}

bool valid_metric_name(std::string_view name) {
  if (name.empty() || name.size() > 255 || !name_start(name[0])) return false;
  for (char c : name)
    if (!name_char(c)) return false;
  return true;
}

std::optional<PromSample> parse_prom_sample(std::string_view line, std::string* error) {
  Cursor c{line};
  PromSample sample;
  auto failed = [&](const std::string& what) -> std::optional<PromSample> {
    c.fail(what);
    if (error) *error = c.error;
    return std::nullopt;
  };
  c.skip_blanks();
  if (!name_start(c.peek())) return failed(c.peek() == '{' ? "quoted metric names are not supported" : "expected a metric name");
  std::size_t start = c.pos;
  while (!c.done() && name_char(c.s[c.pos])) ++c.pos;
  sample.name = std::string(line.substr(start, c.pos - start));
  std::size_t blanks = c.skip_blanks();
  if (c.peek() == '{') {
    if (!read_labels(c, sample)) return failed("");
    blanks = c.skip_blanks();
  }
  if (blanks == 0 && !c.done()) return failed("expected a space before the value");
  std::string_view value = c.token();
  if (value.empty()) return failed("missing value");
  if (!parse_value(value, sample.value)) return failed("invalid value");
  sample.value_text = std::string(value);
  c.skip_blanks();
  if (!c.done() && c.peek() != '#') {
    std::string_view ts = c.token();
    std::int64_t ms = 0;
    if (!parse_timestamp(ts, ms)) return failed("invalid timestamp");
    sample.timestamp_ms = ms;
    c.skip_blanks();
  }
  // An OpenMetrics exemplar (" # {trace_id=...} 1") says nothing we use.
  if (!c.done() && c.peek() != '#') return failed("unexpected text after the value");
  sample.line = std::string(trim(line));
  return sample;
}

PromScan scan_prometheus(std::string_view text, const std::vector<std::string>& wanted,
                         const std::vector<std::pair<std::string, std::string>>& match, const PromLimits& limits) {
  PromScan scan;
  for (const auto& name : wanted) scan.series.push_back(PromSeries{.name = name});
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (scan.lines == limits.max_lines) {
      scan.lines_capped = true;
      break;
    }
    auto nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++scan.lines;
    auto bad = [&](const std::string& why) {
      if (scan.bad_lines++ == 0) scan.first_bad = "line " + std::to_string(scan.lines) + ": " + why;
    };
    if (line.size() > limits.max_line_bytes) {
      bad("longer than " + std::to_string(limits.max_line_bytes) + " bytes");
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view content = trim(line);
    if (content.empty()) continue;
    if (content[0] == '#') {
      read_comment(content, scan.series);
      continue;
    }
    std::string error;
    auto sample = parse_prom_sample(content, &error);
    if (!sample) {
      bad(error);
      continue;
    }
    ++scan.samples;
    for (auto& series : scan.series) {
      if (!belongs_to(sample->name, series)) continue;
      if (!labels_match(*sample, match)) {
        ++series.unmatched;
      } else if (series.samples.size() == limits.max_samples_per_series) {
        series.capped = true;
      } else {
        series.samples.push_back(*sample);
      }
    }
  }
  return scan;
}

}  // namespace rr::http
