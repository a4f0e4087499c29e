#pragma once
// Files listed by `find DIR -name '*.snap' -mtime +7 -printf '%s %TY-%Tm-%Td %p\n'`
// (size in bytes, modification date, path per line), or by the same find
// with -print (the path alone): a pure function of the command's text, for
// a host step to call; judge/host_snapshots.h turns the facts into findings.
//
// Facts (snapshot_facts), the shape a step puts under facts["host_snapshots"]:
//   {"files": [{"path": "/var/lib/nats/jetstream/APP/streams/S/snapshots/1.snap",
//               "size_bytes": 1048576,      // -printf lines only
//               "modified": "2026-11-10"}], // -printf lines only, as printed
//    "count": 1,             // every file line read, also past the cap
//    "total_bytes": 1048576, // the sum of their sizes (0 with -print)
//    "oldest": {"path": "...", "modified": "2026-11-10"},  // the earliest
//                            // modified of every file line; absent without dates
//    "unparsed": 0,          // lines that are no file: find's errors
//                            // ("find: ...: Permission denied"), garbage
//    "truncated": false}     // more than kMaxSnapshotFiles files ("files"
//                            // holds the first kMaxSnapshotFiles), or output
//                            // over 16 MB (only its start was read)
// A -printf line is digits, a space, a date (YYYY-MM-DD, optionally with
// find's time, "2026-11-10+12:34:56.1234567890"), a space and the path,
// which may hold spaces. Any other line holding a '/' is a -print path.
// Dates compare as text, so "oldest" needs the same date format throughout.

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rr::host {

inline constexpr std::size_t kMaxSnapshotFiles = 1000;

nlohmann::json snapshot_facts(std::string_view find_output);

}  // namespace rr::host
