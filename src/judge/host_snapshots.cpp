#include "judge/host_snapshots.h"

#include <cstdint>

#include <fmt/format.h>

#include "common/time.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::get_string;
using nats::get_uint;
using nats::one_line;

constexpr std::size_t kMaxPathBytes = 1024;

}  // namespace

void snapshot_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                       FindingSet& out) {
  const auto& files = nats::field(facts, "files");
  std::uint64_t count = get_uint(facts, "count").value_or(files.is_array() ? files.size() : 0);
  if (count == 0) return;
  bool sized = false;
  if (files.is_array()) {
    for (const auto& f : files) sized = sized || get_uint(f, "size_bytes").has_value();
  }
  std::uint64_t total_bytes = get_uint(facts, "total_bytes").value_or(0);
  std::string total = sized || total_bytes > 0 ? format_bytes(total_bytes) : "unknown";

  const auto& oldest_entry = nats::field(facts, "oldest");
  std::string oldest = one_line(get_string(oldest_entry, "path"), kMaxPathBytes);
  std::string oldest_date = one_line(get_string(oldest_entry, "modified"), 40);
  if (oldest.empty() && files.is_array() && !files.empty()) {
    oldest = one_line(get_string(files[0], "path"), kMaxPathBytes);
    oldest_date = one_line(get_string(files[0], "modified"), 40);
  }

  Finding f;
  f.severity = Severity::Warning;
  f.code = "host.old_snapshots";
  const char* plural = count == 1 ? "" : "s";
  f.title = fmt::format("{}: {} old snapshot file{}{}", host, count, plural,
                        total == "unknown" ? "" : " (" + total + ")");
  f.detail = fmt::format("find on {} lists {} snapshot file{} (*.snap) past the listing's age limit", host, count,
                         plural);
  if (total != "unknown") f.detail += fmt::format(", {} in all", total);
  if (!oldest.empty()) {
    f.detail += fmt::format("; the oldest{} is {}", oldest_date.empty() ? "" : " (" + oldest_date + ")", oldest);
  }
  f.detail +=
      ". Old snapshots hold disk space in the JetStream store: the runbook (1.4) deletes snapshot files older "
      "than seven days to free it (the same find with -delete), after checking that none is still needed.";
  std::string evidence = fmt::format("{}: {} file{}", step_id, count, plural);
  if (total != "unknown") evidence += ", " + total;
  if (!oldest.empty()) evidence += ", oldest " + (oldest_date.empty() ? "" : oldest_date + " ") + oldest;
  f.evidence.push_back(std::move(evidence));
  f.values = {{"host", host}, {"count", std::to_string(count)}, {"total", total}, {"oldest", oldest}};
  out.add(std::move(f), host);
}

}  // namespace rr::host
