#pragma once
// Disk usage from `df -h PATH`, `df -P`, `df -B1`, `df -k` or plain `df`
// output (also with -T's Type column): pure functions of the command's
// text, for a host step to call; judge/host_disk.h turns the facts into
// findings.
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

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rr::host {

inline constexpr std::size_t kMaxFilesystems = 1000;

// "2.6G", "512M", "0", "1T", "123456" (times `unit`); nullopt for "-",
// garbage or overflow.
std::optional<std::uint64_t> parse_df_size(std::string_view text, std::uint64_t unit);

nlohmann::json disk_facts(std::string_view df_output);

}  // namespace rr::host
