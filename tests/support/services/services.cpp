#include "support/services/services.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace rr::test {

const std::vector<ServiceModel>& service_models() {
  static const std::vector<ServiceModel> models = [] {
    std::vector<ServiceModel> m = {kSlackApiService,   kSlackWebhookService, kWebhookJsonService,
                                   kPagerdutyService,  kOpsgenieService,     kMattermostService,
                                   kTeamsService,      kDiscordService,      kGooglechatService};
    std::sort(m.begin(), m.end(), [](const ServiceModel& a, const ServiceModel& b) { return a.prefix.size() > b.prefix.size(); });
    return m;
  }();
  return models;
}

const ServiceModel* service_for(const std::string& path) {
  for (const ServiceModel& m : service_models()) {
    if (path.compare(0, m.prefix.size(), m.prefix) == 0 && (path.size() == m.prefix.size() || path[m.prefix.size()] == '/'))
      return &m;
  }
  return nullptr;
}

std::size_t utf8_chars(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string not_a_json_object(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return "body: not JSON";
  if (!doc.is_object()) return "body: not a JSON object";
  return "";
}

}  // namespace rr::test
