#pragma once
// Disk usage from `df -h PATH`, `df -P`, `df -B1`, `df -k` or plain `df`
// output (also with -T's Type column): pure functions of the command's
// text, for a host step to call.
//
// Facts (disk_facts), the shape a step puts under facts["host_disk"]:
//   {"filesystems": [{"filesystem": "/dev/sda1", "type": "ext4",   // type only with df -T
//                     "mount": "/var/lib/nats",
//                     "size": "50G", "used": "45G", "avail": "2.6G",  // as printed
//                     "size_bytes": 53687091200, "used_bytes": ..., "avail_bytes": ...,
//                     "use_percent": 95}],   // absent when df printed "-"
//                                            // and used + avail is 0
//    "unparsed": 0}                          // data lines not understood
// Human sizes (df -h) are read in powers of 1024 (df -H's powers of 1000
// read about 2 % high per unit: close enough for thresholds). A device
// name too long for its column, which plain df prints alone on its line
// with the numbers on the next, is joined back. Mount points may hold
// spaces. At most kMaxFilesystems entries.
//
// Findings (disk_findings): `host.disk_high`, warning at or above
// warning_percent, critical at or above critical_percent; values host,
// mount, percent ("95"), avail ("2.6G"), filesystem.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "judge/step_facts.h"

namespace rr::host {

inline constexpr std::size_t kMaxFilesystems = 1000;

// "2.6G", "512M", "0", "1T", "123456" (times `unit`); nullopt for "-",
// garbage or overflow.
std::optional<std::uint64_t> parse_df_size(std::string_view text, std::uint64_t unit);

nlohmann::json disk_facts(std::string_view df_output);

struct DiskThresholds {
  double warning_percent = 80;
  double critical_percent = 95;
};

void disk_findings(const nlohmann::json& facts, const std::string& host, const std::string& step_id,
                   const DiskThresholds& thresholds, FindingSet& out);

}  // namespace rr::host
