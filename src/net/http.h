#pragma once
// One HTTP request with a hard deadline and a cap on the response size.
// Used by the steps that read monitoring endpoints and by the notifiers.
// No proxy, no redirects followed, no compression requested.

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/deadline.h"
#include "common/result.h"

namespace rr {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  int port = 0;
  std::string path;    // with query, "/" at least
  std::string userinfo;  // "user:pass" if present (never logged)

  // scheme://host:port, for logs: no userinfo, no path (paths of chat
  // webhooks are secrets).
  std::string origin() const;
};

// Accepts http and https URLs only.
Result<Url> parse_url(const std::string& text);

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  std::size_t max_response_bytes = 4 << 20;
};

struct HttpResponse {
  int status = 0;  // 0 when no response arrived
  std::string body;
  bool truncated = false;  // body cut at max_response_bytes
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error;  // transport error ("connection refused", "timed out")
  std::optional<std::string> header(const std::string& name) const;  // case-insensitive
};

// Never throws and never outlives `deadline` by more than the OS's own
// connect granularity.
HttpResponse http_request(const HttpRequest& request, Deadline deadline);

}  // namespace rr
