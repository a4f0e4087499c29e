#include "judge/host_logs.h"

#include <cstdint>

#include <fmt/format.h>

#include "common/redact.h"
#include "steps/nats/json_read.h"

namespace rr::host {

namespace {

using nats::get_string;
using nats::get_uint;
using nats::one_line;

}  // namespace

Severity finding_severity(LogSeverity s) {
  switch (s) {
    case LogSeverity::Critical:
      return Severity::Critical;
    case LogSeverity::Warning:
      return Severity::Warning;
    case LogSeverity::Info:
      return Severity::Info;
  }
  return Severity::Info;
}

void log_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                  FindingSet& out) {
  const auto& categories = nats::field(facts, "categories");
  if (!categories.is_array()) return;
  for (const auto& entry : categories) {
    std::string name = get_string(entry, "category");
    const LogCategoryInfo* info = nullptr;
    for (const auto& i : log_categories())
      if (i.name == name) info = &i;
    if (info == nullptr) continue;  // facts from elsewhere: only known categories
    std::uint64_t count = get_uint(entry, "count").value_or(0);
    if (count == 0) continue;
    std::string first = one_line(get_string(entry, "first_seen"), 48);
    std::string last = one_line(get_string(entry, "last_seen"), 48);
    std::string reasons;
    const auto& rs = nats::field(entry, "reasons");
    if (rs.is_object()) {
      for (const auto& [reason, n] : rs.items()) {
        if (!n.is_number_unsigned()) continue;
        if (!reasons.empty()) reasons += ", ";
        reasons += one_line(reason, 80) + " x" + std::to_string(n.get<std::uint64_t>());
      }
    }
    std::string when = first == last ? "at " + first : "from " + first + " to " + last;
    if (first.empty()) when = "";
    Finding f;
    f.severity = finding_severity(info->severity);
    f.code = "host.log." + name;
    f.title = fmt::format("{}: {} {} in the log{}{}", host, count, info->label, when.empty() ? "" : " ", when);
    f.detail = fmt::format("The NATS log on {} has {} line{} of this kind{}. {}", host, count,
                           count == 1 ? "" : "s", when.empty() ? "" : " " + when, info->meaning);
    if (!reasons.empty()) f.detail += " Reasons: " + reasons + ".";
    std::string example = one_line(redact(get_string(entry, "example")), kMaxLogExampleBytes);
    f.evidence.push_back(step_id + ": " + (example.empty() ? std::to_string(count) + " lines" : example));
    f.values = {{"category", name},  {"count", std::to_string(count)}, {"first_seen", first},
                {"last_seen", last}, {"host", host}};
    if (!reasons.empty()) f.values["reasons"] = reasons;
    // A damaged store names its stream (journal_lines.h): the one named most, for suggestions.
    if (name == "stream_corrupt" && rs.is_object()) {
      std::uint64_t most = 0;
      for (const auto& [reason, n] : rs.items())
        if (n.is_number_unsigned() && n.get<std::uint64_t>() > most) {
          most = n.get<std::uint64_t>();
          f.values["stream"] = one_line(reason, 80);
        }
    }
    out.add(std::move(f), host);
  }
}

}  // namespace rr::host
