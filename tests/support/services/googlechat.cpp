// Google Chat. (Checks being written.)

#include "support/services/services.h"

namespace rr::test {

std::vector<std::string> googlechat_violations(const std::string& body) {
  if (std::string why = not_a_json_object(body); !why.empty()) return {why};
  return {};
}

namespace {

std::vector<std::string> check(const SinkRequest& r) { return googlechat_violations(r.body); }

}  // namespace

const ServiceModel kGooglechatService{"/googlechat", "invalid", 400, check, nullptr};

}  // namespace rr::test
