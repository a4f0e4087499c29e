#include "support/fixtures.h"

#include <stdexcept>

#include "support/process.h"

namespace rr::test {

std::string alertmanager_sample_path(const std::string& name) {
  return std::string(RR_SOURCE_DIR) + "/tests/fixtures/alertmanager/" + name;
}

std::string alertmanager_sample(const std::string& name) {
  std::string body = read_file(alertmanager_sample_path(name));
  if (body.empty()) throw std::runtime_error("missing or empty fixture " + alertmanager_sample_path(name));
  return body;
}

}  // namespace rr::test
