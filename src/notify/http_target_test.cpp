#include <catch2/catch.hpp>

#include "notify/http_target.h"
#include "support/http_sink.h"
#include "support/process.h"

namespace rr {
namespace {

using namespace std::chrono_literals;

HttpResponse answer(int status, std::string body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST_CASE("parse_retry_after takes delta-seconds and HTTP-dates") {
  CHECK(parse_retry_after("3") == Millis(3000));
  CHECK(parse_retry_after(" 0 ") == Millis(0));
  CHECK(parse_retry_after("99999999") == Millis(3600 * 1000));
  CHECK_FALSE(parse_retry_after("-1"));
  CHECK_FALSE(parse_retry_after("1.5"));
  const TimePoint at = *parse_rfc3339("2015-10-21T07:27:00Z");
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", at) == Millis(60000));
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:26:00 GMT", at) == Millis(0));        // past: at once
  CHECK(parse_retry_after("Thu, 22 Oct 2015 07:28:00 GMT", at) == Millis(3600 * 1000));  // capped
  CHECK_FALSE(parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT", at));  // obsolete forms
  CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 UTC", at));
  CHECK_FALSE(parse_retry_after("Wed, 32 Oct 2015 07:28:00 GMT", at));
  CHECK_FALSE(parse_retry_after(""));
  CHECK_FALSE(parse_retry_after("99999999999999999999"));
}

TEST_CASE("classify_response: 2xx ok, 429 and 5xx retryable, other 4xx final") {
  CHECK(classify_response(answer(200), "o").ok);
  CHECK(classify_response(answer(204), "o").ok);
  Delivery server_error = classify_response(answer(503, "busy"), "http://h:1");
  CHECK_FALSE(server_error.ok);
  CHECK(server_error.retryable);
  CHECK(server_error.http_status == 503);
  CHECK(server_error.error == "http://h:1: HTTP 503: busy");
  Delivery limited = classify_response(answer(429, "rate_limited", {{"retry-after", "7"}}), "o");
  CHECK(limited.retryable);
  CHECK(limited.retry_after == Millis(7000));
  for (int status : {400, 403, 404, 410}) {
    Delivery final = classify_response(answer(status, "channel_not_found"), "o");
    CHECK_FALSE(final.ok);
    CHECK_FALSE(final.retryable);
    CHECK_FALSE(final.retry_after);
  }
  HttpResponse none;
  none.error = "connection refused";
  Delivery transport = classify_response(none, "http://h:1");
  CHECK(transport.retryable);
  CHECK(transport.http_status == 0);
  CHECK(transport.error == "http://h:1: connection refused");
}

TEST_CASE("classify_response checks Slack's ok body") {
  CHECK(classify_response(answer(200, "ok"), "o", "ok").ok);
  CHECK(classify_response(answer(200, "ok\n"), "o", "ok").ok);
  Delivery other = classify_response(answer(200, "invalid_token"), "o", "ok");
  CHECK_FALSE(other.ok);
  CHECK_FALSE(other.retryable);
  CHECK(other.error.find("invalid_token") != std::string::npos);
}

TEST_CASE("error text from a server is one short, clean line") {
  Delivery d = classify_response(answer(500, std::string(5000, 'x') + "\n\x1b[2J"), "o");
  CHECK(d.error.size() < 200);
  CHECK(d.error.find('\n') == std::string::npos);
  CHECK(d.error.find('\x1b') == std::string::npos);
}

TEST_CASE("HttpTarget posts to a real server and never names the URL's secret path") {
  test::HttpSink sink;
  const std::string path = "/services/T000/B000/SECRETSECRET";
  sink.script(path, {test::SinkResponse{500, "boom " + sink.url(path)},
                     test::SinkResponse{429, "slow down", {{"Retry-After", "2"}}}});
  auto target = HttpTarget::make(sink.url(path), std::string("ok"));
  REQUIRE(target.ok());
  CHECK(target->origin() == "http://127.0.0.1:" + std::to_string(sink.port()));

  Delivery first = target->post("{}", "application/json", Deadline::after(5s));
  CHECK(first.retryable);
  CHECK(first.http_status == 500);
  CHECK(first.error.find("SECRETSECRET") == std::string::npos);  // the server echoed the URL
  Delivery second = target->post("{}", "application/json", Deadline::after(5s));
  CHECK(second.http_status == 429);
  CHECK(second.retry_after == Millis(2000));
  Delivery third = target->post("{\"a\":1}", "application/json", Deadline::after(5s));
  CHECK(third.ok);
  auto seen = sink.requests(path);
  REQUIRE(seen.size() == 3);
  CHECK(seen[2].body == "{\"a\":1}");
  CHECK(seen[2].header("content-type") == "application/json");
}

TEST_CASE("HttpTarget: connection refused is retryable and names the origin only") {
  int port = test::free_port();
  auto target = HttpTarget::make("http://127.0.0.1:" + std::to_string(port) + "/hook/SECRET");
  REQUIRE(target.ok());
  Delivery d = target->post("{}", "application/json", Deadline::after(2s));
  CHECK_FALSE(d.ok);
  CHECK(d.retryable);
  CHECK(d.http_status == 0);
  CHECK(d.error.find("SECRET") == std::string::npos);
  CHECK(d.error.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("HttpTarget::make refuses non-http URLs without quoting them") {
  auto bad = HttpTarget::make("javascript:SECRET");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().to_string().find("SECRET") == std::string::npos);
}

}  // namespace
}  // namespace rr
