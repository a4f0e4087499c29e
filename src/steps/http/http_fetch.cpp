#include "steps/http/http_fetch.h"

#include <chrono>
#include <exception>

#include "steps/nats/json_read.h"

namespace rr::http {

std::string display_url(const Url& url) {
  std::string path = url.path.substr(0, url.path.find('?'));
  return url.origin() + (path.empty() ? "/" : path);
}

Fetch fetch(const Url& url, const std::string& raw_url, std::size_t max_bytes, Deadline deadline) {
  Fetch f;
  f.response = http_request(HttpRequest{.url = raw_url, .max_response_bytes = max_bytes}, deadline);
  const auto& r = f.response;
  std::string error;
  if (r.status == 0) {
    error = r.error.empty() ? "no answer" : r.error;
  } else if (r.truncated) {
    error = "response larger than " + std::to_string(max_bytes) + " bytes";
  } else if (!r.error.empty()) {
    error = r.error;  // e.g. the deadline passed while the body arrived
  }
  f.facts = {{"url", display_url(url)},
             {"status", r.status},
             {"reachable", r.status != 0},
             {"truncated", r.truncated},
             {"error", nats::one_line(error)}};
  return f;
}

StepResult run_http_step(std::string_view kind, const StepInput& input,
                         const std::function<void(const Url&, const std::string&, StepResult&)>& body) {
  auto started = std::chrono::steady_clock::now();
  StepResult result;
  result.id = input.id;
  result.kind = std::string(kind);
  result.facts = nlohmann::json::object();
  auto param = input.params.find("url");
  auto url = param == input.params.end() ? Result<Url>(Error{"url", "missing"}) : parse_url(param->second);
  if (!url) {
    result.status = StepStatus::Failed;
    result.target = "no URL";
    // The reason never quotes the URL: it may hold a password.
    result.summary = "parameter url is not a usable http(s) URL: " + url.error().message;
  } else {
    result.target = "GET " + display_url(*url);
    result.status = StepStatus::Ok;
    try {
      body(*url, param->second, result);
    } catch (const std::exception& e) {
      // A bug or resource exhaustion, never a server's reply: those are facts.
      result.status = StepStatus::Failed;
      result.summary = std::string("step could not run: ") + e.what();
    }
  }
  result.duration = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  return result;
}

}  // namespace rr::http
