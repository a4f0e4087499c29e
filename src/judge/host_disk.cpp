#include "judge/host_disk.h"

#include <algorithm>
#include <string_view>

#include <fmt/format.h>

#include "common/time.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::get_int;
using nats::get_string;
using nats::get_uint;
using nats::one_line;

std::string bytes_text(const nlohmann::json& fs, std::string_view key, std::string_view bytes_key) {
  std::string printed = one_line(get_string(fs, key), 32);
  if (!printed.empty() && !std::all_of(printed.begin(), printed.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return printed;  // df -h's own text
  auto b = get_uint(fs, bytes_key);
  return b ? format_bytes(*b) : printed;
}

}  // namespace

void disk_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                   const DiskThresholds& t, FindingSet& out) {
  const auto& filesystems = nats::field(facts, "filesystems");
  if (!filesystems.is_array()) return;
  for (const auto& fs : filesystems) {
    auto percent = get_int(fs, "use_percent");
    if (!percent || *percent < 0 || *percent > 100) continue;
    double p = static_cast<double>(*percent);
    if (p < t.warning_percent) continue;
    Severity severity = p >= t.critical_percent ? Severity::Critical : Severity::Warning;
    std::string mount = one_line(get_string(fs, "mount"), 256);
    std::string device = one_line(get_string(fs, "filesystem"), 256);
    std::string avail = bytes_text(fs, "avail", "avail_bytes");
    std::string size = bytes_text(fs, "size", "size_bytes");
    Finding f;
    f.severity = severity;
    f.code = "host.disk_high";
    f.title = fmt::format("{}: {} is {} % full ({} free)", host, mount, *percent, avail);
    f.detail = fmt::format(
        "On {}, {} ({}) uses {} % of {}, {} left (thresholds {:g} % warning, {:g} % critical). When the disk "
        "holding the JetStream store fills, the server logs \"JetStream out of space, will be DISABLED\", stops "
        "storing messages and its streams lose their leaders.",
        host, mount, device, *percent, size, avail, t.warning_percent, t.critical_percent);
    f.evidence.push_back(fmt::format("{}: {} {} size {} used {} avail {} use {} %", step_id, device, mount, size,
                                     one_line(get_string(fs, "used"), 32), avail, *percent));
    f.values = {{"host", host},
                {"mount", mount},
                {"percent", std::to_string(*percent)},
                {"avail", avail},
                {"filesystem", device}};
    out.add(std::move(f), host + "|" + mount);
  }
}

}  // namespace rr::host
