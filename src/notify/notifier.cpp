#include "notify/notifier.h"

namespace rr {

bool Notifier::wants(const Report& report) const { return report.kind != Report::Kind::Started; }

bool pages(const Report& report) {
  switch (report.kind) {
    case Report::Kind::Triage:
    case Report::Kind::Unmatched:
      return true;
    case Report::Kind::Resolution:
      return report.status == "resolved";
    case Report::Kind::Started:
      return false;
  }
  return false;
}

}  // namespace rr
