// What every step result goes through before judging, reporting or logging.

#include <catch2/catch.hpp>

#include "steps/step.h"

namespace rr {

TEST_CASE("redact_result: credentials in summary, output and facts, including those marked only by their key") {
  auto redactor = Redactor::make();
  REQUIRE(redactor);
  StepResult r;
  r.summary = "login as nats://ops:hunter2secret@10.0.0.1:4222 failed";
  r.output = "token=abcdef0123456789abcdef\nnot UTF-8: \xff end";
  r.facts = {{"server", "n1"},
             {"password", "plain-value"},
             {"auth", {{"token", "t0k3n"}, {"user", "ops"}}},
             {"lines", {"Authorization: Bearer abc.def.ghi", "fine"}},
             {"count", 3}};
  redact_result(r, *redactor);
  CHECK(r.summary.find("hunter2secret") == std::string::npos);
  CHECK(r.output.find("abcdef0123456789abcdef") == std::string::npos);
  CHECK(r.output.find("\xff") == std::string::npos);  // made valid UTF-8
  CHECK(r.facts["server"] == "n1");                   // ordinary values stay
  CHECK(r.facts["password"] == std::string(kRedacted));
  CHECK(r.facts["auth"]["token"] == std::string(kRedacted));
  CHECK(r.facts["auth"]["user"] == "ops");
  CHECK(r.facts["lines"][0].get<std::string>().find("abc.def.ghi") == std::string::npos);
  CHECK(r.facts["lines"][1] == "fine");
  CHECK(r.facts["count"] == 3);
}

}  // namespace rr
