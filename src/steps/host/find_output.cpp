#include "steps/host/find_output.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "common/text.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::one_line;

constexpr std::size_t kMaxInput = 16u << 20;
constexpr std::size_t kMaxPathBytes = 1024;
constexpr std::size_t kMaxDateBytes = 40;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "dddd-dd-dd", then nothing or find's "+hh:mm:ss.fraction" / "Thh:mm:ss".
bool is_find_date(std::string_view s) {
  if (s.size() < 10 || s.size() > kMaxDateBytes) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    if (i == 4 || i == 7 ? s[i] != '-' : !is_digit(s[i])) return false;
  }
  if (s.size() == 10) return true;
  if (s[10] != '+' && s[10] != 'T') return false;
  for (char c : s.substr(11))
    if (!is_digit(c) && c != ':' && c != '.') return false;
  return true;
}

std::optional<std::uint64_t> parse_size(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

struct FileLine {
  std::string_view path;
  std::optional<std::uint64_t> size;
  std::string_view modified;
};

std::optional<FileLine> parse_file_line(std::string_view line) {
  // -printf '%s %TY-%Tm-%Td %p'
  auto sp1 = line.find(' ');
  if (sp1 != std::string_view::npos) {
    auto size = parse_size(line.substr(0, sp1));
    auto sp2 = line.find(' ', sp1 + 1);
    if (size && sp2 != std::string_view::npos) {
      std::string_view date = line.substr(sp1 + 1, sp2 - sp1 - 1);
      std::string_view path = line.substr(sp2 + 1);
      if (is_find_date(date)) {
        if (trim(path).empty()) return std::nullopt;
        return FileLine{path, size, date};
      }
    }
  }
  // -print: the path alone; find's own messages are errors.
  if (starts_with(line, "find: ") || line.find('/') == std::string_view::npos) return std::nullopt;
  return FileLine{line, std::nullopt, {}};
}

}  // namespace

nlohmann::json snapshot_facts(std::string_view output) {
  bool truncated = false;
  output = whole_lines_head(output, kMaxInput, truncated);
  auto files = nlohmann::json::array();
  std::size_t count = 0, unparsed = 0;
  std::uint64_t total = 0;
  std::string oldest_path, oldest_modified;
  LineReader reader(output);
  std::string_view line;
  while (reader.next(line)) {
    if (trim(line).empty()) continue;
    auto file = parse_file_line(line);
    if (!file) {
      ++unparsed;
      continue;
    }
    ++count;
    if (file->size) {
      total = *file->size > std::numeric_limits<std::uint64_t>::max() - total
                  ? std::numeric_limits<std::uint64_t>::max()
                  : total + *file->size;
    }
    std::string path = one_line(file->path.substr(0, 4 * kMaxPathBytes), kMaxPathBytes);
    if (!file->modified.empty() && (oldest_modified.empty() || file->modified < oldest_modified)) {
      oldest_modified = std::string(file->modified);
      oldest_path = path;
    }
    if (files.size() >= kMaxSnapshotFiles) {
      truncated = true;
      continue;
    }
    nlohmann::json entry = {{"path", std::move(path)}};
    if (file->size) entry["size_bytes"] = *file->size;
    if (!file->modified.empty()) entry["modified"] = std::string(file->modified);
    files.push_back(std::move(entry));
  }
  nlohmann::json facts = {{"files", std::move(files)}, {"count", count},         {"total_bytes", total},
                          {"unparsed", unparsed},      {"truncated", truncated}};
  if (!oldest_modified.empty()) facts["oldest"] = {{"path", oldest_path}, {"modified", oldest_modified}};
  return facts;
}

}  // namespace rr::host
