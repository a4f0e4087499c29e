#pragma once
// How the test sink (support/http_sink.h) plays each chat and paging
// service: the path it owns, the checks a request must pass (the service's
// documented schema and limits), and what the service answers
// when it accepts one. One file per service in this folder; the list is
// services.cpp.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "support/http_sink.h"

namespace rr::test {

struct ServiceModel {
  std::string_view prefix;   // requests whose path starts with it ("/pagerduty")
  std::string_view refusal;  // the body the service answers a bad request with
  int refusal_status = 400;
  // What is wrong with the request (method, query, headers, body); empty when the service would take it.
  std::vector<std::string> (*check)(const SinkRequest& request);
  // The answer to an accepted request; `seq` counts earlier requests to this
  // service (for message ids). nullptr: 200 "ok".
  SinkResponse (*answer)(const SinkRequest& request, std::size_t seq);
};

// Every service, longest prefix first.
const std::vector<ServiceModel>& service_models();
// The model whose prefix starts `path` (followed by '/' or the end), or nullptr.
const ServiceModel* service_for(const std::string& path);

// Each service's body checks, for renderer tests that need no server.
// Each returns what is wrong with `body`; empty when it is acceptable.
std::vector<std::string> slack_violations(const std::string& body);
std::vector<std::string> webhook_json_violations(const std::string& body);
std::vector<std::string> pagerduty_violations(const std::string& body);
std::vector<std::string> opsgenie_violations(const std::string& body);
std::vector<std::string> mattermost_violations(const std::string& body);
std::vector<std::string> teams_violations(const std::string& body);
std::vector<std::string> discord_violations(const std::string& body);
std::vector<std::string> googlechat_violations(const std::string& body);

// The models, defined beside their checks.
extern const ServiceModel kSlackWebhookService;   // /slack
extern const ServiceModel kSlackApiService;       // /slack-api (chat.postMessage, chat.update)
extern const ServiceModel kWebhookJsonService;    // /webhook-json
extern const ServiceModel kPagerdutyService;      // /pagerduty
extern const ServiceModel kOpsgenieService;       // /opsgenie
extern const ServiceModel kMattermostService;     // /mattermost
extern const ServiceModel kTeamsService;          // /teams
extern const ServiceModel kDiscordService;        // /discord
extern const ServiceModel kGooglechatService;     // /googlechat

// Helpers the checks share.
// Characters as the services count them: UTF-8 bytes that do not continue a sequence.
std::size_t utf8_chars(std::string_view s);
// The check every JSON service starts with: "" when `body` is one JSON object, else why not.
std::string not_a_json_object(const std::string& body);

}  // namespace rr::test
