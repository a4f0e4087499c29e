#include "steps/host/systemctl_output.h"

#include <algorithm>
#include <deque>
#include <vector>

#include "common/redact.h"
#include "common/text.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::get_string;
using nats::one_line;

constexpr std::size_t kMaxInput = 4u << 20;  // systemctl status prints a few KB

bool is_ascii_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// The "(...)" groups of an Active: or Loaded: value, in order, and the rest.
std::vector<std::string_view> paren_groups(std::string_view s, std::string_view& rest) {
  std::vector<std::string_view> groups;
  std::size_t i = 0;
  while (true) {
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != '(') break;
    auto close = s.find(')', i);
    if (close == std::string_view::npos) break;
    groups.push_back(s.substr(i + 1, close - i - 1));
    i = close + 1;
  }
  rest = s.substr(std::min(i, s.size()));
  return groups;
}

void read_loaded(std::string_view v, nlohmann::json& facts) {
  auto sp = v.find(' ');
  std::string_view state = v.substr(0, sp);
  facts["load_state"] = one_line(state, 32);
  if (state == "not-found") facts["found"] = false;
  std::string_view rest;
  auto groups = paren_groups(sp == std::string_view::npos ? std::string_view() : v.substr(sp), rest);
  if (groups.empty() || state != "loaded") return;
  auto parts = split(groups[0], ';');
  if (!parts.empty()) facts["unit_file"] = one_line(trim(parts[0]), 512);
  if (parts.size() > 1) facts["enabled"] = one_line(trim(parts[1]), 32);
}

void read_active(std::string_view v, nlohmann::json& facts) {
  auto sp = v.find(' ');
  facts["active_state"] = one_line(v.substr(0, sp), 32);
  std::string_view rest;
  auto groups = paren_groups(sp == std::string_view::npos ? std::string_view() : v.substr(sp), rest);
  for (auto g : groups) {
    if (starts_with(g, "Result: ")) {
      facts["result"] = one_line(g.substr(8), 64);
    } else if (get_string(facts, "sub_state").empty()) {
      facts["sub_state"] = one_line(g, 64);
    }
  }
  rest = trim(rest);
  if (starts_with(rest, "since ")) {
    std::string_view since = rest.substr(6);
    auto semi = since.find("; ");
    facts["since"] = one_line(since.substr(0, semi), 64);
    if (semi != std::string_view::npos) facts["ago"] = one_line(since.substr(semi + 2), 64);
  }
}

void read_main_pid(std::string_view v, nlohmann::json& facts) {
  std::uint64_t pid = 0;
  std::size_t i = 0;
  for (; i < v.size() && i < 10 && v[i] >= '0' && v[i] <= '9'; ++i) pid = pid * 10 + static_cast<std::uint64_t>(v[i] - '0');
  if (i == 0) return;
  facts["main_pid"] = pid;
  std::string_view rest;
  auto groups = paren_groups(v.substr(i), rest);
  if (groups.empty()) return;
  if (starts_with(groups[0], "code=")) {
    facts["exit"] = one_line(groups[0], 128);
  } else {
    facts["main_process"] = one_line(groups[0], 128);
  }
}

}  // namespace

nlohmann::json unit_facts(std::string_view output) {
  if (output.size() > kMaxInput) output = output.substr(0, kMaxInput);
  nlohmann::json facts = {{"parsed", false}, {"unit", ""},       {"description", ""}, {"found", true},
                          {"load_state", ""}, {"unit_file", ""}, {"enabled", ""},     {"active_state", ""},
                          {"sub_state", ""},  {"result", ""},    {"since", ""},       {"ago", ""},
                          {"main_process", ""}, {"exit", ""}};
  std::deque<std::string> logs;
  bool header_seen = false, in_logs = false;
  LineReader reader(output);
  std::string_view line;
  while (reader.next(line)) {
    if (in_logs) {
      if (trim(line).empty()) continue;
      logs.push_back(one_line(redact(line.substr(0, 2048)), 300));
      if (logs.size() > kMaxUnitLogLines) logs.pop_front();
      continue;
    }
    std::string_view t = trim(line);
    if (t.empty()) {
      in_logs = header_seen;  // the journal tail follows the blank line
      continue;
    }
    if (starts_with(t, "Unit ") && t.find(" could not be found") != std::string_view::npos) {
      std::string_view name = t.substr(5, t.find(" could not be found") - 5);
      facts["unit"] = one_line(name, 256);
      facts["found"] = false;
      facts["parsed"] = true;
      continue;
    }
    if (!header_seen && !starts_with(t, "Warning:") && t.find(": ") == std::string_view::npos) {
      // "● nats.service - NATS Server": skip the status glyph (any non-alphanumeric bytes).
      std::size_t i = 0;
      while (i < t.size() && !is_ascii_alnum(t[i])) ++i;
      std::string_view head = t.substr(i);
      auto dash = head.find(" - ");
      facts["unit"] = one_line(head.substr(0, dash), 256);
      if (dash != std::string_view::npos) facts["description"] = one_line(head.substr(dash + 3), 256);
      header_seen = true;
      continue;
    }
    auto colon = t.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string_view key = t.substr(0, colon), value = trim(t.substr(colon + 2));
    if (key == "Loaded") {
      read_loaded(value, facts);
      header_seen = true;
    } else if (key == "Active") {
      read_active(value, facts);
      facts["parsed"] = true;
      header_seen = true;
    } else if (key == "Main PID") {
      read_main_pid(value, facts);
    }
  }
  facts["log_lines"] = nlohmann::json(std::vector<std::string>(logs.begin(), logs.end()));
  return facts;
}

}  // namespace rr::host
