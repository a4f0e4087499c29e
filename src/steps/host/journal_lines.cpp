#include "steps/host/journal_lines.h"

#include <algorithm>
#include <map>

#include "common/redact.h"
#include "common/text.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::one_line;

// Messages are short; a line longer than this is garbage past this point.
constexpr std::size_t kMaxMessageScan = 8192;
constexpr std::size_t kMaxReasons = 16;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

// `s` starts with `shape`, where 'd' stands for a digit and other characters for themselves.
bool has_shape(std::string_view s, std::string_view shape) {
  if (s.size() < shape.size()) return false;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? !is_digit(s[i]) : s[i] != shape[i]) return false;
  }
  return true;
}

// "Nov 23 00:32:13 " (the day may be space-padded).
bool is_short_journal_time(std::string_view s) {
  if (s.size() < 16 || !is_upper(s[0]) || !is_lower(s[1]) || !is_lower(s[2]) || s[3] != ' ') return false;
  if (!(is_digit(s[4]) || s[4] == ' ') || !is_digit(s[5])) return false;
  return has_shape(s.substr(6), " dd:dd:dd ");
}

// Skips the journal's "host ident[pid]: ".
std::string_view skip_host_ident(std::string_view s) {
  auto sp = s.find(' ');
  if (sp == std::string_view::npos || sp > 255) return s;
  std::string_view rest = s.substr(sp + 1);
  auto colon = rest.substr(0, 256).find(": ");
  if (colon == std::string_view::npos || rest.substr(0, colon).find(' ') != std::string_view::npos) return s;
  return rest.substr(colon + 2);
}

bool contains(std::string_view s, std::string_view w) { return s.find(w) != std::string_view::npos; }

// The time as stored in facts: NATS's "2026/11/23 00:32:13.6" becomes ISO-like.
std::string normalize_time(std::string_view raw) {
  std::string t = one_line(raw, 48);
  if (has_shape(t, "dddd/dd/dd dd:dd:dd")) {
    t[4] = '-';
    t[7] = '-';
    t[10] = 'T';
  }
  return t;
}

std::string_view cut_reason(std::string_view reason) {
  auto account = reason.find(" account:");
  if (account != std::string_view::npos) reason = reason.substr(0, account);
  return trim(reason.substr(0, 80));
}

struct Counted {
  std::size_t count = 0;
  std::string first_seen, last_seen, example;
  std::map<std::string, std::size_t> reasons;
};

}  // namespace

std::string_view log_severity_name(LogSeverity s) {
  switch (s) {
    case LogSeverity::Critical:
      return "critical";
    case LogSeverity::Warning:
      return "warning";
    case LogSeverity::Info:
      return "info";
  }
  return "info";
}

const std::vector<LogCategoryInfo>& log_categories() {
  static const std::vector<LogCategoryInfo> kCategories = {
      {"storage_exhausted", LogSeverity::Critical, "JetStream storage exhausted",
       "The server's JetStream store hit its max_file_store or the disk is full (\"JetStream resource limits "
       "exceeded for server\", \"JetStream out of space, will be DISABLED\", no space left on device): publishes "
       "fail with 10023 \"insufficient resources\", streams lose their leaders and health turns 503."},
      {"account_limit", LogSeverity::Critical, "account JetStream limit exceeded",
       "An account reached its JetStream limits: publishes to its streams fail with 10002 \"resource limits "
       "exceeded for account\"."},
      {"store_failed", LogSeverity::Critical, "messages failed to store",
       "The server could not store messages on a stream (\"JetStream failed to store a msg\"): those publishes "
       "were refused."},
      {"stream_corrupt", LogSeverity::Critical, "damaged stream store",
       "The server found a stream's files damaged (metafile checksums that do not match, a corrupt state file "
       "or message block, a failed recreate or restore, a critical write error): the stream is missing, "
       "incomplete or refusing writes until it is purged, recreated or restored from backup."},
      {"no_quorum", LogSeverity::Critical, "stream or consumer without quorum",
       "A replicated stream or consumer has NO quorum and is stalled: it accepts no writes until enough of its "
       "peers are back."},
      {"no_meta_leader", LogSeverity::Critical, "no JetStream meta leader",
       "The JetStream cluster had no metadata leader: the JetStream API answers 10008 \"temporarily "
       "unavailable\" and nothing can be created or changed."},
      {"duplicate_server_name", LogSeverity::Critical, "duplicate server name",
       "Two servers use the same server_name: routes between them are refused, which can split the cluster."},
      {"cluster_name_conflict", LogSeverity::Critical, "cluster name conflict",
       "A server with a different cluster name tried to join: its routes are refused, which can split the "
       "cluster."},
      {"route_closed", LogSeverity::Warning, "route connections closed",
       "Routes to other cluster members were closed; \"Client Closed\" or \"Server Shutdown\" is a peer going "
       "away, Read/Write Error and Stale Connection point at the network."},
      {"route_connect_error", LogSeverity::Warning, "failed route connects",
       "The server could not connect to a cluster peer (\"Error trying to connect to route\"): that peer is down "
       "or unreachable."},
      {"leafnode_closed", LogSeverity::Warning, "leaf node connections closed",
       "Leaf node connections were closed: traffic to or from the leaf stopped until it reconnects."},
      {"catchup_failed", LogSeverity::Warning, "stream catch-up stalled or failed",
       "A stream replica could not catch up with its leader (stalled, errored or aborted): it stays behind "
       "and is not current."},
      {"raft_warning", LogSeverity::Warning, "RAFT warnings",
       "The RAFT layer reported problems (WAL write errors, lost leadership, missing snapshots)."},
      {"healthcheck_failed", LogSeverity::Warning, "failed health checks",
       "The server's own health check failed (the same reason /healthz answers 503 with)."},
      {"slow_consumer", LogSeverity::Warning, "slow consumers",
       "Clients or routes did not read fast enough and were disconnected (\"Slow Consumer Detected\"): the "
       "messages buffered for them were lost."},
      {"auth_failure", LogSeverity::Warning, "authentication failures",
       "Connections were refused for bad or missing credentials (\"authentication error\", \"Authorization "
       "Violation\")."},
      {"permission_violation", LogSeverity::Warning, "permission violations",
       "Authenticated clients published or subscribed where their permissions do not allow it: those "
       "operations were refused."},
      {"meta_leader_elected", LogSeverity::Info, "meta leader elections",
       "The JetStream metadata leader changed; several changes close together mean an unstable cluster, two "
       "servers each calling themselves leader a split brain."},
      {"stream_leader_elected", LogSeverity::Info, "stream leader elections",
       "Stream leaders moved between servers, as they do when a peer goes away or returns."},
      {"consumer_leader_elected", LogSeverity::Info, "consumer leader elections",
       "Consumer leaders moved between servers, as they do when a peer goes away or returns."},
      {"slow_readloop", LogSeverity::Info, "slow read loops",
       "The server took long to process a client's input (\"Readloop processing time\"): a sign of overload."},
  };
  return kCategories;
}

LogLine parse_log_line(std::string_view s) {
  LogLine out;
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  // journalctl -o short-iso[-precise] "2026-11-23T00:32:13+0000 host ident[pid]: ",
  // docker logs --timestamps "2026-11-23T00:32:13.620287586Z ".
  if (has_shape(s, "dddd-dd-ddTdd:dd:dd")) {
    auto sp = s.find(' ');
    out.time = s.substr(0, std::min<std::size_t>(sp, 40));
    if (sp == std::string_view::npos) return out;
    s = s.substr(sp + 1);
    if (!s.empty() && s[0] != '[') s = skip_host_ident(s);
  } else if (is_short_journal_time(s)) {  // journalctl's default "Nov 23 00:32:13 host ident[pid]: "
    out.time = s.substr(0, 15);
    s = skip_host_ident(s.substr(16));
  }
  // nats-server's own prefix: "[pid] 2026/11/23 00:32:13.620287 [INF] ".
  if (s.size() > 2 && s[0] == '[' && is_digit(s[1])) {
    auto close = s.find("] ");
    if (close != std::string_view::npos && close < 12) s = s.substr(close + 2);
  }
  if (has_shape(s, "dddd/dd/dd dd:dd:dd")) {
    auto sp = s.find(' ', 11);
    std::string_view t = s.substr(0, std::min<std::size_t>(sp, 32));
    // The journal's short time has no year: the server's own is better.
    if (out.time.empty() || !is_digit(out.time[0])) out.time = t;
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  }
  if (s.size() >= 5 && s[0] == '[' && s[4] == ']' && is_upper(s[1]) && is_upper(s[2]) && is_upper(s[3])) {
    out.level = s.substr(1, 3);
    s = s.substr(5);
    if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  out.message = s;
  return out;
}

// The stream a damaged-store line names, from the forms nats-server uses:
// a path ".../streams/NAME/meta.inf", 'ACCOUNT > NAME', or stream "NAME".
std::string_view damaged_stream(std::string_view m) {
  if (auto p = m.find("/streams/"); p != std::string_view::npos) {
    std::string_view rest = m.substr(p + 9);
    return rest.substr(0, std::min(rest.find('/'), rest.find_first_of("\"' ")));
  }
  if (auto p = m.find(" > "); p != std::string_view::npos && m.rfind('\'', p) != std::string_view::npos) {
    std::string_view rest = m.substr(p + 3);
    return rest.substr(0, rest.find('\''));
  }
  if (auto p = m.find("stream \""); p != std::string_view::npos) {
    std::string_view rest = m.substr(p + 8);
    return rest.substr(0, rest.find('"'));
  }
  return {};
}

LogMatch categorize(const LogLine& line) {
  std::string_view m = line.message.substr(0, kMaxMessageScan);
  auto has = [&](std::string_view w) { return contains(m, w); };
  constexpr std::string_view kRouteClosed = "Router connection closed: ";
  if (auto p = m.find(kRouteClosed); p != std::string_view::npos) {
    std::string_view reason = cut_reason(m.substr(p + kRouteClosed.size()));
    if (starts_with(reason, "Duplicate Route")) return {};  // normal while routes form
    if (starts_with(reason, "Duplicate Server Name")) return {"duplicate_server_name", reason};
    if (starts_with(reason, "Cluster Name Conflict")) return {"cluster_name_conflict", reason};
    if (starts_with(reason, "Authentication")) return {"auth_failure", reason};
    return {"route_closed", reason};
  }
  constexpr std::string_view kLeafClosed = "Leafnode connection closed: ";
  if (auto p = m.find(kLeafClosed); p != std::string_view::npos)
    return {"leafnode_closed", cut_reason(m.substr(p + kLeafClosed.size()))};
  if (has("Error trying to connect to route")) return {"route_connect_error", {}};
  if (has("Remote server has a duplicate name")) return {"duplicate_server_name", {}};
  if (has("Rejecting connection, cluster name") || has("cluster name from remote server conflicts"))
    return {"cluster_name_conflict", {}};
  if (has("resource limits exceeded for server") || has("JetStream out of space") ||
      has("no space left on device"))
    return {"storage_exhausted", {}};
  if (has("resource limits exceeded for account")) return {"account_limit", {}};
  if (has("failed to store a msg")) return {"store_failed", {}};
  if (has("checksums do not match") || has("Error recreating stream") || has("Stream metafile checksum") ||
      has("Missing stream checksum file") || has("malformed or corrupt message") || has("corrupt state file") ||
      has("Stream assignment corrupt") || has("Stream restore failed") ||
      (has("critical write error") && has("JetStream stream")))
    return {"stream_corrupt", damaged_stream(m)};
  if (has("has NO quorum, stalled")) return {"no_quorum", {}};
  if (has("no metadata leader")) return {"no_meta_leader", {}};
  if (has("Healthcheck failed")) return {"healthcheck_failed", {}};
  if (has("is new JetStream cluster metadata leader") || has("JetStream cluster new metadata leader") ||
      has("new remote metadata leader"))
    return {"meta_leader_elected", {}};
  if (has("new stream leader")) return {"stream_leader_elected", {}};
  if (has("new consumer leader")) return {"consumer_leader_elected", {}};
  if (has("Catchup for stream") && (has("stalled") || has("errored") || has("aborted")))
    return {"catchup_failed", {}};
  if (starts_with(m, "RAFT [") && line.level != "INF" && line.level != "DBG" && line.level != "TRC")
    return {"raft_warning", {}};
  if (has("Slow Consumer Detected")) return {"slow_consumer", {}};
  if (has("Readloop processing time")) return {"slow_readloop", {}};
  if (has("authentication error") || has("Authorization Violation") || has("Authentication Failure") ||
      has("Authentication Timeout"))
    return {"auth_failure", {}};
  if (has("Publish Violation") || has("Subscription Violation") || has("Permissions Violation"))
    return {"permission_violation", {}};
  return {};
}

nlohmann::json log_facts(std::string_view output, std::size_t max_bytes) {
  bool truncated = output.size() > max_bytes;
  if (truncated) {
    output = output.substr(output.size() - max_bytes);
    auto nl = output.find('\n');  // the first line is cut: drop it
    output = nl == std::string_view::npos ? std::string_view() : output.substr(nl + 1);
  }
  std::map<std::string_view, Counted> counted;
  std::size_t lines = 0, recognised = 0;
  LineReader reader(output);
  std::string_view raw;
  while (reader.next(raw)) {
    ++lines;
    LogLine line = parse_log_line(raw);
    LogMatch match = categorize(line);
    if (match.category.empty()) continue;
    ++recognised;
    Counted& c = counted[match.category];
    std::string time = normalize_time(line.time);
    if (c.count++ == 0) {
      c.first_seen = time;
      // Redact the whole (bounded) line before cutting, so no cut hides a secret's shape.
      c.example = one_line(redact(raw.substr(0, 4 * kMaxLogExampleBytes)), kMaxLogExampleBytes);
    }
    c.last_seen = time;
    if (!match.reason.empty()) {
      std::string reason = one_line(match.reason, 80);
      if (c.reasons.count(reason) > 0 || c.reasons.size() < kMaxReasons) ++c.reasons[reason];
    }
  }
  auto categories = nlohmann::json::array();
  for (const auto& info : log_categories()) {
    auto it = counted.find(info.name);
    if (it == counted.end()) continue;
    const Counted& c = it->second;
    nlohmann::json entry = {{"category", info.name},         {"severity", log_severity_name(info.severity)},
                            {"count", c.count},              {"first_seen", c.first_seen},
                            {"last_seen", c.last_seen},      {"example", c.example}};
    if (!c.reasons.empty()) entry["reasons"] = c.reasons;
    categories.push_back(std::move(entry));
  }
  return {{"lines", lines}, {"recognised", recognised}, {"truncated", truncated}, {"categories", categories}};
}

}  // namespace rr::host
