// Microsoft Teams. (Checks being written.)

#include "support/services/services.h"

namespace rr::test {

std::vector<std::string> teams_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  return {};
}

namespace {

std::vector<std::string> check(const SinkRequest& r) { return teams_violations(r.body); }

}  // namespace

const ServiceModel kTeamsService{"/teams", "invalid", 400, check, nullptr};

}  // namespace rr::test
