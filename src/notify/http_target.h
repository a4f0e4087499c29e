#pragma once
// The one piece every HTTP notifier shares: POST a rendered body to the
// target's URL under a deadline and say what the answer means for retrying.
// The URL of a chat webhook is a credential: it is kept here and never put
// in an error, a log line or a metric; origin() (scheme://host:port) is the
// most any message names.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/deadline.h"
#include "common/result.h"
#include "net/http.h"
#include "notify/notifier.h"

namespace rr {

// Retry-After as delta-seconds ("120") or an HTTP-date (the wait until it,
// from `now`; a date past is 0), capped at one hour. Anything else gives
// nullopt: the caller's own backoff applies.
std::optional<Millis> parse_retry_after(std::string_view value,
                                        TimePoint now = std::chrono::time_point_cast<Nanos>(Clock::now()));

// What an answer means: 2xx delivered (and, when `expect_body` is set, only if
// the trimmed body equals it: Slack answers 200 "ok"); 429, 5xx and transport
// errors retryable, with Retry-After; every other status final. `origin` is
// the only part of the target named in Delivery::error.
Delivery classify_response(const HttpResponse& response, std::string_view origin,
                           std::optional<std::string_view> expect_body = std::nullopt);

// One request to a target, relative to its URL.
struct HttpCall {
  std::string method = "POST";
  std::string suffix;  // appended to the target's URL: "/chat.update", "?wait=true", "/messages/123"
  std::vector<std::pair<std::string, std::string>> headers;  // values may be credentials: never logged
  std::string body;
  std::string content_type = "application/json";
};

// The answer: what it means for delivery, and the body (capped at 64 KiB)
// for targets that read an id or a status out of it.
struct HttpAnswer {
  Delivery delivery;
  std::string body;
};

class HttpTarget {
 public:
  // Checks the URL once, at configuration time. The error names no part of it.
  static Result<HttpTarget> make(const std::string& url, std::optional<std::string> expect_body = std::nullopt);

  // One request; returns by `deadline`. Errors never hold the URL or a
  // header value.
  HttpAnswer call(const HttpCall& call, Deadline deadline) const;
  // One POST of `body` to the URL itself.
  Delivery post(const std::string& body, const std::string& content_type, Deadline deadline) const;

  const std::string& origin() const { return origin_; }

 private:
  HttpTarget(std::string url, std::string origin, std::string path, std::optional<std::string> expect_body)
      : url_(std::move(url)), origin_(std::move(origin)), path_(std::move(path)),
        expect_body_(std::move(expect_body)) {}
  // Removes the URL, its path and `secrets` from text that came back from
  // the network stack or the server, in case either echoes them.
  std::string scrub(std::string text, const std::vector<std::pair<std::string, std::string>>& secrets = {}) const;

  std::string url_;     // secret
  std::string origin_;  // safe to log
  std::string path_;    // secret
  std::optional<std::string> expect_body_;
};

}  // namespace rr
