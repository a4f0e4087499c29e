#include "report/report.h"

#include <algorithm>

namespace rr {

Severity Report::worst() const {
  Severity worst = Severity::Ok;
  // Lower enum value is more severe; findings need not be sorted here.
  for (const Finding& f : findings) worst = std::min(worst, f.severity);
  return worst;
}

std::string_view report_kind_name(Report::Kind kind) {
  switch (kind) {
    case Report::Kind::Triage:
      return "triage";
    case Report::Kind::Resolution:
      return "resolution";
    case Report::Kind::Unmatched:
      return "unmatched";
    case Report::Kind::Started:
      return "started";
  }
  return "triage";
}

}  // namespace rr
