#pragma once
// A notifier delivers a rendered report to one chat or paging service.
// Each lives in its own folder (notify/<type>/) behind this interface.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/deadline.h"
#include "common/time.h"
#include "config/config.h"
#include "report/report.h"

namespace rr {

struct Delivery {
  bool ok = false;
  bool retryable = false;  // worth sending again (5xx, 429, network error)
  int http_status = 0;     // 0 when no response arrived
  std::string error;       // short, never contains the target URL
  std::optional<Millis> retry_after;
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual std::string_view type() const = 0;
  // Must return by `deadline`.
  virtual Delivery send(const Report& report, Deadline deadline) = 0;
};

// Builds the notifier for a configured target, or an error for an unknown type.
Result<std::unique_ptr<Notifier>> make_notifier(const NotifyTarget& target);

}  // namespace rr
