#pragma once
// The NATS log lines that matter, recognised in `journalctl -u nats
// [-o short-iso] --no-pager` and `docker logs [--timestamps] CONTAINER`
// output, counted per category with the first and last time seen. Pure
// functions of the command's text, for the host steps to call (see
// reference nats.md "Log lines worth recognising"); judge/host_logs.h
// turns the facts into findings.
//
// Facts (log_facts), the shape a step puts under facts["host_logs"]:
//   {"lines": 100,            // lines read
//    "recognised": 7,         // lines in some category
//    "truncated": false,      // input over max_bytes: only its tail was read
//    "categories": [{"category": "route_closed", "severity": "warning",
//                    "count": 3, "first_seen": "2026-11-23T00:32:13.620287",
//                    "last_seen": "...",
//                    "example": "<the first such line, redacted, one line>",
//                    "reasons": {"Client Closed": 3}}]}   // route_closed,
//                                                         // leafnode_closed and
//                                                         // stream_corrupt (the stream)
// Categories appear in the order of log_categories() (most severe first),
// only when counted; "severity" is log_severity_name of the category's.
// Times are the line's own: the journal's short-iso time or docker's
// --timestamps time when present (with their zone), else the NATS log time
// ("2026/11/23 00:32:13.620287" as "2026-11-23T00:32:13.620287", the
// server's local time), else the journal's short time ("Nov 23 00:32:13").
// Lines are taken in output order, which is time order.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rr::host {

// How bad a category is; the judge maps it onto its finding severity.
enum class LogSeverity { Critical, Warning, Info };
std::string_view log_severity_name(LogSeverity s);  // "critical", "warning", "info"

struct LogCategoryInfo {
  std::string_view name;     // "no_quorum"
  LogSeverity severity;
  std::string_view label;    // "stream or consumer without quorum"
  std::string_view meaning;  // one or two sentences for the finding's detail
};

// Every category, most severe first.
const std::vector<LogCategoryInfo>& log_categories();

// One line split into its parts; views into the line. Empty parts are
// absent. `time` is the raw text of the best time (see above).
struct LogLine {
  std::string_view time;     // raw: "2026-11-23T00:32:13+0000", "2026/11/23 00:32:13.620287", "Nov 23 00:32:13"
  std::string_view level;    // "INF", "WRN", "ERR", "DBG", "TRC", "FTL"
  std::string_view message;  // after the prefixes
};
LogLine parse_log_line(std::string_view line);

// The category of one message ("" for none) and, for closed connections,
// the reason ("Client Closed"); for a damaged stream store, the stream.
struct LogMatch {
  std::string_view category;
  std::string_view reason;
};
LogMatch categorize(const LogLine& line);

inline constexpr std::size_t kMaxLogBytes = 16u << 20;
// Examples are cut to this many bytes.
inline constexpr std::size_t kMaxLogExampleBytes = 400;

// The whole output: \n or \r\n lines, any bytes. Reads at most the last
// max_bytes of it (in time order, the newest).
nlohmann::json log_facts(std::string_view output, std::size_t max_bytes = kMaxLogBytes);

}  // namespace rr::host
