#include <catch2/catch.hpp>

#include "common/text.h"
#include "common/time.h"

using namespace rr;

TEST_CASE("RFC 3339 times in every precision Alertmanager sends") {
  auto a = parse_rfc3339("2026-11-23T00:32:13.620287586Z");
  auto b = parse_rfc3339("2026-11-23T00:32:13Z");
  auto c = parse_rfc3339("2026-11-23T00:39:20.037Z");
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK((*a - *b) == Nanos(620287586));
  CHECK(format_rfc3339(*c) == "2026-11-23T00:39:20.037Z");
  CHECK(parse_rfc3339("2026-11-23T01:32:13+01:00") == b);
  CHECK(parse_rfc3339("0001-01-01T00:00:00Z") == TimePoint::min());
  for (const char* bad : {"", "2026-11-23", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-11-23T00:32:13", "2026-11-23T00:32:13.Z", "2026-11-23T00:32:13Zjunk",
                          "99999-11-23T00:32:13Z", "2026-11-23T24:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_rfc3339(bad));
  }
}

TEST_CASE("Durations") {
  CHECK(parse_duration("5m") == Nanos(std::chrono::minutes(5)));
  CHECK(parse_duration("1h30m") == Nanos(std::chrono::minutes(90)));
  CHECK(parse_duration("500ms") == Nanos(std::chrono::milliseconds(500)));
  CHECK(parse_duration("7d") == Nanos(std::chrono::hours(168)));
  CHECK(parse_duration("1.5s") == Nanos(std::chrono::milliseconds(1500)));
  for (const char* bad : {"", "5", "-5s", "5x", "s", "1..5s", "99999999999999999999h", "5 m"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
  CHECK(format_duration(std::chrono::milliseconds(850)) == "850ms");
  CHECK(format_duration(std::chrono::seconds(90)) == "1m30s");
  CHECK(format_duration(std::chrono::hours(26)) == "1d2h");
}

TEST_CASE("Text helpers are UTF-8 safe") {
  std::string s = "héllo wörld";
  auto t = truncate_utf8(s, 6, "…");
  CHECK(t.size() <= 6);
  CHECK(sanitize_utf8(t) == t);
  CHECK(sanitize_utf8(std::string("a\x01" "b\xff", 4)) == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD");
  CHECK(trim_output("1\n2\n3\n4\n", 2, 100).rfind("1\n2\n… (trimmed", 0) == 0);
  CHECK(constant_time_equal("secret", "secret"));
  CHECK_FALSE(constant_time_equal("secret", "secreT"));
  CHECK_FALSE(constant_time_equal("secret", "secret2"));
  CHECK(percent_encode("{a=\"b c\"}") == "%7Ba%3D%22b%20c%22%7D");
}

TEST_CASE("HTTP-dates: IMF-fixdate only, every field checked") {
  auto t = parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "1994-11-06T08:49:37.000Z");
  CHECK(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"));
  for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
                          "Sun, 06 Nov 1994 08:49:37 gmt", "Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 06 Nox 1994 08:49:37 GMT",
                          "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:49:37 GMT", "Thu, 29 Feb 2023 00:00:00 GMT",
                          "Sun, 6  Nov 1994 08:49:37 GMT"}) {
    INFO(bad);
    CHECK_FALSE(parse_http_date(bad));
  }
}
