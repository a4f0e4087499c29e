#include "steps/host/df_output.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/text.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::one_line;

constexpr std::size_t kMaxInput = 16u << 20;

struct Field {
  std::string_view text;
  std::size_t offset;  // in the line
};

std::vector<Field> fields_of(std::string_view line, std::size_t max_fields) {
  std::vector<Field> out;
  std::size_t i = 0;
  while (i < line.size() && out.size() < max_fields) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back({line.substr(b, i - b), b});
  }
  return out;
}

// The block size a header names; 0 for human sizes ("Size").
std::optional<std::uint64_t> header_unit(std::string_view header) {
  if (header.find("Size") != std::string_view::npos) return 0;
  if (header.find("1B-blocks") != std::string_view::npos) return 1;
  if (header.find("1K-blocks") != std::string_view::npos || header.find("1024-blocks") != std::string_view::npos)
    return 1024;
  if (header.find("512-blocks") != std::string_view::npos) return 512;
  if (header.find("1M-blocks") != std::string_view::npos) return 1u << 20;
  return std::nullopt;
}

std::optional<int> parse_percent(std::string_view text) {
  if (text.size() < 2 || text.size() > 4 || text.back() != '%') return std::nullopt;
  int v = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v <= 100 ? std::optional<int>(v) : std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_df_size(std::string_view text, std::uint64_t unit) {
  if (text.empty() || text.size() > 24) return std::nullopt;
  std::size_t i = 0;
  double value = 0;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') value = value * 10 + (text[i++] - '0'), digits = true;
  if (i < text.size() && (text[i] == '.' || text[i] == ',')) {  // some locales print 2,6G
    double scale = 0.1;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, scale /= 10) value += (text[i] - '0') * scale;
  }
  if (!digits) return std::nullopt;
  double multiplier = static_cast<double>(unit == 0 ? 1 : unit);
  if (i < text.size()) {
    static constexpr std::string_view kSuffixes = "KMGTPE";
    auto s = kSuffixes.find(static_cast<char>(text[i] == 'k' ? 'K' : text[i]));
    if (s == std::string_view::npos) return std::nullopt;
    multiplier = std::pow(1024.0, static_cast<double>(s + 1));
    ++i;
    if (i < text.size() && (text[i] == 'i' || text[i] == 'B')) ++i;
    if (i != text.size()) return std::nullopt;
  } else if (unit == 0) {
    multiplier = 1;  // df -h prints small sizes ("0") without a suffix
  }
  double bytes = value * multiplier;
  if (!std::isfinite(bytes) || bytes >= 1.8e19) return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(bytes));
}

nlohmann::json disk_facts(std::string_view output) {
  if (output.size() > kMaxInput) output = output.substr(0, kMaxInput);
  auto filesystems = nlohmann::json::array();
  std::size_t unparsed = 0;
  std::optional<std::uint64_t> unit;  // unknown until a header says
  bool typed = false;                 // df -T
  std::string pending;                // a device name alone on its line
  LineReader reader(output);
  std::string_view line;
  while (filesystems.size() < kMaxFilesystems && reader.next(line)) {
    if (trim(line).empty()) continue;
    if (starts_with(line, "Filesystem")) {
      unit = header_unit(line);
      auto hf = fields_of(line, 3);
      typed = hf.size() >= 2 && hf[1].text == "Type";
      pending.clear();
      continue;
    }
    const std::size_t columns = typed ? 7 : 6;  // [device, (type,) size, used, avail, use%, mount]
    std::string joined;
    if (!pending.empty()) {
      joined = pending + " " + std::string(line);
      line = joined;
      pending.clear();
    }
    auto f = fields_of(line, columns);
    if (f.size() == 1 && line.size() < 4096) {
      pending = std::string(f[0].text);
      continue;
    }
    if (f.size() < columns) {
      ++unparsed;
      continue;
    }
    std::size_t k = typed ? 2 : 1;
    std::uint64_t u = unit.value_or(0);
    if (!unit) {  // no header: plain numbers are df's default 1K blocks
      bool plain = std::all_of(f[k].text.begin(), f[k].text.end(), [](char c) { return c >= '0' && c <= '9'; });
      u = plain ? 1024 : 0;
    }
    auto size = parse_df_size(f[k].text, u), used = parse_df_size(f[k + 1].text, u),
         avail = parse_df_size(f[k + 2].text, u);
    auto percent = parse_percent(f[k + 3].text);
    if ((!size || !used || !avail) && f[k].text != "-") {
      ++unparsed;
      continue;
    }
    nlohmann::json fs = {{"filesystem", one_line(f[0].text, 256)},
                         {"mount", one_line(line.substr(f[k + 4].offset), 1024)},
                         {"size", one_line(f[k].text, 32)},
                         {"used", one_line(f[k + 1].text, 32)},
                         {"avail", one_line(f[k + 2].text, 32)}};
    if (typed) fs["type"] = one_line(f[1].text, 64);
    if (size) fs["size_bytes"] = *size;
    if (used) fs["used_bytes"] = *used;
    if (avail) fs["avail_bytes"] = *avail;
    if (!percent && used && avail && *used + *avail > 0) {
      // df's own rounding: up.
      percent = static_cast<int>(std::ceil(static_cast<double>(*used) * 100 / static_cast<double>(*used + *avail)));
    }
    if (percent) fs["use_percent"] = *percent;
    filesystems.push_back(std::move(fs));
  }
  if (!pending.empty()) ++unparsed;
  return {{"filesystems", filesystems}, {"unparsed", unparsed}};
}

}  // namespace rr::host
