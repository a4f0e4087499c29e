#include "rules/matcher.h"

#include <catch2/catch.hpp>

namespace rr {
namespace {

Matcher parsed(const std::string& text) {
  auto m = Matcher::parse(text);
  INFO(text);
  REQUIRE(m.ok());
  return *m;
}

Matcher made(const std::string& label, Matcher::Op op, const std::string& value) {
  auto m = Matcher::make(label, op, value);
  REQUIRE(m.ok());
  return *m;
}

}  // namespace

TEST_CASE("equality and inequality follow Alertmanager, a missing label being empty") {
  Matcher eq = made("severity", Matcher::Op::Equal, "critical");
  CHECK(eq.matches({{"severity", "critical"}}));
  CHECK_FALSE(eq.matches({{"severity", "warning"}}));
  CHECK_FALSE(eq.matches({}));

  Matcher ne = made("severity", Matcher::Op::NotEqual, "critical");
  CHECK_FALSE(ne.matches({{"severity", "critical"}}));
  CHECK(ne.matches({{"severity", "warning"}}));
  CHECK(ne.matches({}));

  // `label=""` selects alerts without the label.
  Matcher absent = made("team", Matcher::Op::Equal, "");
  CHECK(absent.matches({}));
  CHECK(absent.matches({{"team", ""}}));
  CHECK_FALSE(absent.matches({{"team", "ops"}}));
}

TEST_CASE("regexes are anchored at both ends") {
  Matcher re = made("severity", Matcher::Op::Regex, "crit");
  CHECK(re.matches({{"severity", "crit"}}));
  CHECK_FALSE(re.matches({{"severity", "critical"}}));
  CHECK_FALSE(re.matches({{"severity", "subcrit"}}));

  Matcher alt = made("severity", Matcher::Op::Regex, "critical|warning");
  CHECK(alt.matches({{"severity", "critical"}}));
  CHECK(alt.matches({{"severity", "warning"}}));
  CHECK_FALSE(alt.matches({{"severity", "info"}}));
  // Anchoring wraps the whole alternation, not just its ends.
  CHECK_FALSE(alt.matches({{"severity", "criticalwarning"}}));
  CHECK_FALSE(alt.matches({{"severity", "xwarning"}}));

  Matcher nre = made("instance", Matcher::Op::NotRegex, "10\\.0\\..*");
  CHECK_FALSE(nre.matches({{"instance", "10.0.0.1:8222"}}));
  CHECK(nre.matches({{"instance", "10.1.0.1:8222"}}));
  CHECK(nre.matches({{"instance", "10x0x0"}}));
}

TEST_CASE("regexes see a missing label as the empty string") {
  CHECK(made("team", Matcher::Op::Regex, ".*").matches({}));
  CHECK_FALSE(made("team", Matcher::Op::Regex, ".+").matches({}));
  CHECK(made("team", Matcher::Op::NotRegex, ".+").matches({}));
  CHECK(made("team", Matcher::Op::Regex, "ops|").matches({}));
}

TEST_CASE("a regex matches the whole value, even past an embedded NUL") {
  Matcher re = made("job", Matcher::Op::Regex, "nats");
  CHECK_FALSE(re.matches({{"job", std::string("nats\0evil", 9)}}));
  CHECK(re.matches({{"job", "nats"}}));
}

TEST_CASE("hostile 10 KB values against wide patterns neither crash nor hang") {
  std::string big(10 * 1024, 'a');
  std::string mixed;
  for (int i = 0; i < 10 * 1024; ++i) mixed += "a;\n$`\"\\"[i % 7];
  for (const char* pattern : {".*", ".*.*.*", "(a|aa)*", "(.*)*b", "(a*)*", "([a-z]+)+$", ".*crit.*"}) {
    Matcher m = made("x", Matcher::Op::Regex, pattern);
    INFO(pattern);
    bool expect_big = std::string(pattern) != "(.*)*b" && std::string(pattern) != ".*crit.*";
    CHECK(m.matches({{"x", big}}) == expect_big);
    (void)m.matches({{"x", mixed}});  // must return, whatever the answer
  }
  CHECK(made("x", Matcher::Op::Regex, ".*").matches({{"x", mixed}}));
}

TEST_CASE("parse reads every operator, quoted or not, with spaces around the operator") {
  Matcher a = parsed(R"(severity="critical")");
  CHECK(a.label() == "severity");
  CHECK(a.op() == Matcher::Op::Equal);
  CHECK(a.value() == "critical");

  Matcher b = parsed(R"(severity != "info")");
  CHECK(b.op() == Matcher::Op::NotEqual);
  CHECK(b.value() == "info");

  Matcher c = parsed(R"(  severity=~"critical|warning"  )");
  CHECK(c.op() == Matcher::Op::Regex);
  CHECK(c.matches({{"severity", "warning"}}));
  CHECK_FALSE(c.matches({{"severity", "critical2"}}));

  Matcher d = parsed("instance !~ 10.0.*");
  CHECK(d.op() == Matcher::Op::NotRegex);
  CHECK(d.value() == "10.0.*");

  Matcher e = parsed("alertname=EventStreamDisconnected");
  CHECK(e.value() == "EventStreamDisconnected");
  CHECK(e.matches({{"alertname", "EventStreamDisconnected"}}));

  Matcher empty = parsed(R"(team="")");
  CHECK(empty.value().empty());
}

TEST_CASE("parse unescapes \\\" and \\\\ and keeps other backslashes for regexes") {
  Matcher q = parsed(R"(summary="say \"hi\" \\ bye")");
  CHECK(q.value() == R"(say "hi" \ bye)");

  Matcher dot = parsed(R"(host=~"nats\.example")");
  CHECK(dot.value() == R"(nats\.example)");
  CHECK(dot.matches({{"host", "nats.example"}}));
  CHECK_FALSE(dot.matches({{"host", "natsXexample"}}));
}

TEST_CASE("to_string round-trips through parse") {
  for (const char* text : {R"(a="x")", R"(a!="x y")", R"(a=~"b\\.c|d")", R"(a!~"q\"uote")"}) {
    Matcher m = parsed(text);
    Matcher again = parsed(m.to_string());
    CHECK(again.label() == m.label());
    CHECK(again.op() == m.op());
    CHECK(again.value() == m.value());
  }
  CHECK(parsed(R"(a=~"x|y")").to_string() == R"(a=~"x|y")");
}

TEST_CASE("parse and make refuse malformed matchers") {
  for (const char* text : {"", "severity", "severity critical", R"(="x")", R"(sev-erity="x")", R"(1abc="x")",
                           R"(a="unterminated)", R"(a="x" trailing)", R"(a=x"y)", R"(a=~"(")", R"(a!~"[z-a]")",
                           R"(a=~"*x")"}) {
    INFO(text);
    auto m = Matcher::parse(text);
    CHECK_FALSE(m.ok());
    if (!m.ok()) CHECK_FALSE(m.error().message.empty());
  }
  CHECK_FALSE(Matcher::make("a", Matcher::Op::Regex, std::string("a\0b", 3)).ok());
  CHECK_FALSE(Matcher::make("", Matcher::Op::Equal, "x").ok());
  auto bad = Matcher::make("a", Matcher::Op::Regex, "(unclosed");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.find("invalid regex") != std::string::npos);
}

TEST_CASE("copies share the compiled regex safely") {
  std::vector<Matcher> ms;
  {
    Matcher m = made("a", Matcher::Op::Regex, "x+");
    ms.push_back(m);
    ms.push_back(m);
  }
  CHECK(matches_all(ms, {{"a", "xxx"}}));
  CHECK_FALSE(matches_all(ms, {{"a", "y"}}));
  CHECK(matches_all({}, {}));
}

}  // namespace rr
