#include "notify/http_target.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "common/text.h"

namespace rr {

namespace {

constexpr std::size_t kMaxAnswerBytes = 64 * 1024;  // answers are "ok" or a short error
constexpr std::size_t kErrorSnippetBytes = 120;
constexpr auto kMaxRetryAfter = std::chrono::hours(1);

// A single line of a server's answer, safe to log.
std::string snippet(std::string_view body) {
  std::string line = sanitize_utf8(trim(body));
  for (char& c : line)
    if (c == '\n' || c == '\t') c = ' ';
  return truncate_utf8(line, kErrorSnippetBytes);
}

void replace_all(std::string& text, const std::string& what, std::string_view with) {
  if (what.empty()) return;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

}  // namespace

std::optional<Millis> parse_retry_after(std::string_view value, TimePoint now) {
  value = trim(value);
  if (auto date = parse_http_date(value)) {
    Nanos wait = std::clamp<Nanos>(*date - now, Nanos(0), kMaxRetryAfter);
    return std::chrono::ceil<Millis>(wait);
  }
  if (value.empty() || value.size() > 10) return std::nullopt;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) return std::nullopt;
  auto capped = std::min<long long>(seconds, std::chrono::duration_cast<std::chrono::seconds>(kMaxRetryAfter).count());
  return std::chrono::duration_cast<Millis>(std::chrono::seconds(capped));
}

Delivery classify_response(const HttpResponse& response, std::string_view origin,
                           std::optional<std::string_view> expect_body) {
  Delivery d;
  d.http_status = response.status;
  if (response.status == 0) {
    d.retryable = true;
    d.error = fmt::format("{}: {}", origin, response.error.empty() ? "no response" : snippet(response.error));
    return d;
  }
  if (response.status >= 200 && response.status < 300) {
    if (!expect_body || trim(response.body) == *expect_body) {
      d.ok = true;
      return d;
    }
    // Slack's 200 with another body is an error it chose not to signal by status.
    d.error = fmt::format("{}: HTTP {} with unexpected answer \"{}\"", origin, response.status,
                          snippet(response.body));
    return d;
  }
  d.retryable = response.status == 429 || response.status >= 500;
  if (d.retryable) {
    if (auto value = response.header("Retry-After")) d.retry_after = parse_retry_after(*value);
  }
  std::string answer = snippet(response.body);
  d.error = answer.empty() ? fmt::format("{}: HTTP {}", origin, response.status)
                           : fmt::format("{}: HTTP {}: {}", origin, response.status, answer);
  return d;
}

Result<HttpTarget> HttpTarget::make(const std::string& url, std::optional<std::string> expect_body) {
  auto parsed = parse_url(url);
  // parse_url's messages describe the problem without quoting the URL.
  if (!parsed) return Error{"url", parsed.error().message};
  return HttpTarget(url, parsed->origin(), parsed->path, std::move(expect_body));
}

std::string HttpTarget::scrub(std::string text,
                              const std::vector<std::pair<std::string, std::string>>& secrets) const {
  replace_all(text, url_, "<url>");
  if (path_.size() > 1) replace_all(text, path_, "<path>");
  for (const auto& [name, value] : secrets) {
    // Header values (tokens after "Bearer ", "GenieKey ") and any word of them.
    replace_all(text, value, "<secret>");
    for (std::size_t start = 0; start < value.size();) {
      std::size_t end = value.find(' ', start);
      if (end == std::string::npos) end = value.size();
      if (end - start >= 8) replace_all(text, value.substr(start, end - start), "<secret>");
      start = end + 1;
    }
  }
  return text;
}

HttpAnswer HttpTarget::call(const HttpCall& call, Deadline deadline) const {
  HttpRequest request;
  request.method = call.method;
  request.url = url_ + call.suffix;
  request.headers = call.headers;
  request.body = call.body;
  request.content_type = call.content_type;
  request.max_response_bytes = kMaxAnswerBytes;
  HttpResponse response = http_request(request, deadline);
  std::optional<std::string_view> expect;
  if (expect_body_) expect = *expect_body_;
  HttpAnswer answer{classify_response(response, origin_, expect), std::move(response.body)};
  answer.delivery.error = scrub(std::move(answer.delivery.error), call.headers);
  return answer;
}

Delivery HttpTarget::post(const std::string& body, const std::string& content_type, Deadline deadline) const {
  return call(HttpCall{.body = body, .content_type = content_type}, deadline).delivery;
}

}  // namespace rr
