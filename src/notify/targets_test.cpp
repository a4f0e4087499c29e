// The one list of target types, and the checks every target gets from it
// before its own: a known type, the options it takes, a valid rate limit.

#include <catch2/catch.hpp>

#include <set>

#include "notify/target_type.h"

namespace rr {
namespace {

NotifyTarget target(std::string type, std::map<std::string, std::string> options = {}) {
  return NotifyTarget{"t1", std::move(type), std::move(options), {}, "/etc/rr/config.yaml", 12};
}

std::string error_of(const NotifyTarget& t) {
  auto n = make_notifier(t);
  return n ? "" : n.error().to_string();
}

TEST_CASE("target types are listed once, each under its own name") {
  std::set<std::string_view> names;
  for (const TargetType* t : target_types()) {
    CHECK(names.insert(t->name).second);
    CHECK(find_target_type(t->name) == t);
    CHECK(t->make != nullptr);
  }
  CHECK(names == std::set<std::string_view>{"console", "webhook", "slack", "pagerduty", "opsgenie", "mattermost",
                                            "teams", "discord", "googlechat"});
  CHECK(find_target_type("nope") == nullptr);
}

TEST_CASE("a target is checked against its type, errors at the entry's line") {
  CHECK(error_of(target("console")).empty());
  CHECK(error_of(target("webhook", {{"url", "http://127.0.0.1:9/x"}})).empty());
  CHECK(error_of(target("pager2")) ==
        "/etc/rr/config.yaml:12: notify target t1: unknown type \"pager2\" (known: console, webhook, slack, "
        "pagerduty, opsgenie, mattermost, teams, discord, googlechat)");
  CHECK(error_of(target("webhook")) ==
        "/etc/rr/config.yaml:12: notify target t1: type webhook needs url, url_file or url_env");
  CHECK(error_of(target("console", {{"url", "http://h/"}})) ==
        "/etc/rr/config.yaml:12: notify target t1: type console takes no option url (it takes none)");
  CHECK(error_of(target("webhook", {{"url", "http://h/"}, {"channel", "x"}})).find("takes no option channel (it takes url)") !=
        std::string::npos);
}

TEST_CASE("every target takes rate_limit and max_age, checked") {
  CHECK(error_of(target("console", {{"rate_limit", "2/s"}, {"max_age", "30m"}})).empty());
  CHECK(error_of(target("console", {{"rate_limit", "fast"}})).find("rate_limit: \"fast\" is not N/s, N/m or N/h") !=
        std::string::npos);
  CHECK(error_of(target("console", {{"max_age", "-1s"}})).find("max_age must be a positive duration") !=
        std::string::npos);
}

TEST_CASE("a bad URL is refused without echoing it") {
  for (const char* url : {"ftp://s3cret@example.com/hook", "hooks.slack.com/services/s3cret", "https://h/s3cret x"}) {
    INFO(url);
    std::string e = error_of(target("slack", {{"url", url}}));
    CHECK_FALSE(e.empty());
    CHECK(e.find("s3cret") == std::string::npos);
    CHECK(e.find("notify target t1: url: ") != std::string::npos);
  }
}

TEST_CASE("check_targets collects every target's error") {
  auto errors = check_targets({target("console"), target("nope"), target("webhook")});
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].message.find("unknown type") != std::string::npos);
  CHECK(errors[1].message.find("needs url") != std::string::npos);
}

}  // namespace
}  // namespace rr
