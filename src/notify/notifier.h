#pragma once
// A notifier delivers a report to one chat or paging service. Each lives in
// its own folder (notify/<type>/) behind this interface, and its type is
// registered once, in notify/targets.cpp. Notifiers only render and send:
// routing, the outbox, rate limits and retries are the delivery stages'.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/deadline.h"
#include "common/time.h"
#include "report/report.h"

namespace rr {

// The answer to one send.
struct Delivery {
  bool ok = false;
  bool retryable = false;  // worth sending again: 5xx, 429, network error, timeout
  int http_status = 0;     // 0 when no response arrived
  std::string error;       // short, for logs; never holds the target's URL or a credential
  std::optional<Millis> retry_after;  // the service asked for this wait (429 Retry-After)
  // On success: what this target keeps about the report's alert group for
  // its next message (Slack's channel and ts, Discord's message id). The
  // delivery stage stores it durably. nullopt keeps what was kept; "" forgets it.
  std::optional<std::string> thread;
};

// One report to send, with what the delivery stage kept for its group.
struct Message {
  const Report& report;
  std::string thread;  // what this target kept for the group; "" before its first message
};

// What a paging service takes: a triage or unmatched report opens (or adds
// to) the group's incident, and a resolution closes it once the whole group
// has resolved. Partial resolutions and progress notices page nobody.
bool pages(const Report& report);

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Whether this target takes `report` at all. By default every report but
  // a progress notice (Report::Kind::Started), which only editable chat
  // messages use.
  virtual bool wants(const Report& report) const;
  // Renders and sends; returns by `deadline`. Called from one thread at a
  // time per notifier, in the order the reports were made.
  virtual Delivery send(const Message& message, Deadline deadline) = 0;
};

}  // namespace rr
