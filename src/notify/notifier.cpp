#include "notify/notifier.h"

namespace rr {

bool Notifier::wants(const Report& report) const { return report.kind != Report::Kind::Started; }

}  // namespace rr
