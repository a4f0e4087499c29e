#include "rules/template.h"

#include <catch2/catch.hpp>

#include <optional>
#include <string_view>

namespace rr {
namespace {

Template parsed(const std::string& text) {
  auto t = Template::parse(text);
  INFO(text);
  REQUIRE(t.ok());
  return *t;
}

const std::vector<std::string>& hostile() {
  static const std::vector<std::string> values = {
      "a; rm -rf /", "$(id)", "`id`", "a\nb", "a\rb", "a\tb", std::string(10 * 1024, 'x'), "../../etc/passwd",
      "nats\xD0\xB0.example",  // Cyrillic 'а' look-alike
      "\xEF\xBC\x8F" "etc",       // fullwidth solidus
      "", "a b", "a|b", "a&b", "a>b", "\"quoted\"", "'single'", std::string("a\0b", 3), "-rf", "a\\b",
  };
  return values;
}

}  // namespace

TEST_CASE("value type names round-trip") {
  for (ValueType t : {ValueType::Host, ValueType::Name, ValueType::Subject, ValueType::Integer, ValueType::Duration,
                      ValueType::Word, ValueType::Url}) {
    auto back = value_type_from_name(value_type_name(t));
    REQUIRE(back);
    CHECK(*back == t);
  }
  CHECK_FALSE(value_type_from_name("shell"));
}

TEST_CASE("check_value accepts ordinary values of each type") {
  CHECK_FALSE(check_value(ValueType::Host, "nats-1.example.com"));
  CHECK_FALSE(check_value(ValueType::Host, "10.0.0.1"));
  CHECK_FALSE(check_value(ValueType::Host, "::1"));
  CHECK_FALSE(check_value(ValueType::Host, "fe80::1:abcd"));
  CHECK_FALSE(check_value(ValueType::Host, "localhost"));
  CHECK_FALSE(check_value(ValueType::Name, "CIM-EVENTS"));
  CHECK_FALSE(check_value(ValueType::Name, "execution-consumer"));
  CHECK_FALSE(check_value(ValueType::Name, "TITAN_INTENTS"));
  CHECK_FALSE(check_value(ValueType::Subject, "cim.events.>"));
  CHECK_FALSE(check_value(ValueType::Subject, "cim.*.created"));
  CHECK_FALSE(check_value(ValueType::Subject, ">"));
  CHECK_FALSE(check_value(ValueType::Integer, "0"));
  CHECK_FALSE(check_value(ValueType::Integer, "9223372036854775807"));
  CHECK_FALSE(check_value(ValueType::Duration, "1h30m"));
  CHECK_FALSE(check_value(ValueType::Word, "nats.server_down"));
  CHECK_FALSE(check_value(ValueType::Word, "user@host:/path=a+b-c"));
  CHECK_FALSE(check_value(ValueType::Url, "http://10.0.0.1:8222/varz"));
  CHECK_FALSE(check_value(ValueType::Url, "https://hooks.slack.com/services/T/B/x?a=1&b=2"));
}

TEST_CASE("check_value refuses malformed values with a reason") {
  auto refused = [](ValueType t, const std::string& v) {
    auto why = check_value(t, v);
    INFO(value_type_name(t) << " " << v);
    CHECK(why);
    if (why) CHECK_FALSE(why->empty());
  };
  refused(ValueType::Host, "-bad.example");
  refused(ValueType::Host, "bad-.example");
  refused(ValueType::Host, "a..b");
  refused(ValueType::Host, "a.example.");
  refused(ValueType::Host, "under_score.example");
  refused(ValueType::Host, "10.0.0.256");
  refused(ValueType::Host, "10.0.0");
  refused(ValueType::Host, "1:2");
  refused(ValueType::Host, ":::::");
  refused(ValueType::Host, "1::2::3");
  refused(ValueType::Host, "[::1]");
  refused(ValueType::Host, std::string(64, 'a') + ".example");
  refused(ValueType::Host, std::string(254, 'a'));
  refused(ValueType::Name, "a.b");
  refused(ValueType::Name, "a*");
  refused(ValueType::Name, "a>");
  refused(ValueType::Name, "#1");
  refused(ValueType::Name, std::string(256, 'a'));
  refused(ValueType::Subject, "a..b");
  refused(ValueType::Subject, ".a");
  refused(ValueType::Subject, "a.");
  refused(ValueType::Subject, "a.>.b");
  refused(ValueType::Subject, "a.b*");
  refused(ValueType::Subject, "a.>x");
  refused(ValueType::Subject, "$SYS.x");
  refused(ValueType::Integer, "-1");
  refused(ValueType::Integer, "+1");
  refused(ValueType::Integer, "1.5");
  refused(ValueType::Integer, "12345678901234567890");
  refused(ValueType::Duration, "5 minutes");
  refused(ValueType::Duration, "-5m");
  refused(ValueType::Word, "a,b");
  refused(ValueType::Url, "ftp://x");
  refused(ValueType::Url, "http://");
  refused(ValueType::Url, "javascript:alert(1)");
  refused(ValueType::Url, "http://x/\"onmouseover");
  refused(ValueType::Url, "http://x/<script>");
  refused(ValueType::Url, "http://" + std::string(2049, 'a'));
}

TEST_CASE("no hostile value passes any type") {
  for (ValueType t : {ValueType::Host, ValueType::Name, ValueType::Subject, ValueType::Integer, ValueType::Duration,
                      ValueType::Word, ValueType::Url}) {
    for (const std::string& v : hostile()) {
      INFO(value_type_name(t) << " [" << v.substr(0, 40) << "]");
      CHECK(check_value(t, v));
    }
    CHECK(check_value(t, "http://x/" + std::string(10 * 1024, 'y')));
  }
  // The reason never echoes the value.
  auto why = check_value(ValueType::Name, "a; rm -rf /");
  REQUIRE(why);
  CHECK(why->find("rm") == std::string::npos);
  auto nl = check_value(ValueType::Word, "a\nb");
  REQUIRE(nl);
  CHECK(nl->find('\n') == std::string::npos);
  CHECK(nl->find("0x0a") != std::string::npos);
}

TEST_CASE("values that would read as options or climb paths are refused") {
  CHECK(check_value(ValueType::Word, "-rf"));
  CHECK(check_value(ValueType::Name, "--help"));
  CHECK(check_value(ValueType::Subject, "-x.y"));
  CHECK(check_value(ValueType::Word, "a/../b"));
  CHECK_FALSE(check_value(ValueType::Word, "a-b/c.d"));
}

TEST_CASE("templates render placeholders and keep literal text") {
  Template t = parsed("ssh root@{{ finding.host | host }} systemctl status nats");
  CHECK(t.has_placeholders());
  CHECK(t.paths() == std::vector<std::string>{"finding.host"});
  auto out = t.render({{"finding.host", "nats-2.example"}}, ValueType::Word);
  REQUIRE(out.ok());
  CHECK(*out == "ssh root@nats-2.example systemctl status nats");

  Template plain = parsed("nats server list");
  CHECK_FALSE(plain.has_placeholders());
  CHECK(plain.render({}, ValueType::Word).value() == "nats server list");
  CHECK(plain.source() == "nats server list");

  Template tight = parsed("{{labels.stream}}/{{ labels.consumer|name }}");
  CHECK(tight.paths() == std::vector<std::string>{"labels.stream", "labels.consumer"});
  CHECK(tight.render({{"labels.stream", "S"}, {"labels.consumer", "C"}}, ValueType::Name).value() == "S/C");

  CHECK(parsed("a } b }} c {").render({}, ValueType::Word).value() == "a } b }} c {");
}

TEST_CASE("defaults fill missing or empty values and filters combine in any order") {
  for (const char* text : {"{{ labels.stream | default CIM-EVENTS }}", "{{ labels.stream | name | default CIM-EVENTS }}",
                           "{{labels.stream|default CIM-EVENTS|name}}", "{{ labels.stream | default \"CIM-EVENTS\" }}"}) {
    INFO(text);
    Template t = parsed(text);
    CHECK(t.render({}, ValueType::Name).value() == "CIM-EVENTS");
    CHECK(t.render({{"labels.stream", ""}}, ValueType::Name).value() == "CIM-EVENTS");
    CHECK(t.render({{"labels.stream", "OTHER"}}, ValueType::Name).value() == "OTHER");
  }
}

TEST_CASE("a missing value without default is an error naming the path") {
  Template t = parsed("{{ labels.stream }}");
  auto out = t.render({{"labels.other", "x"}}, ValueType::Name);
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message == "labels.stream is missing");
  CHECK_FALSE(t.render({{"labels.stream", ""}}, ValueType::Name).ok());
}

TEST_CASE("hostile values are refused, never truncated or escaped") {
  Template t = parsed("nats stream info {{ labels.stream }}");
  for (const std::string& v : hostile()) {
    INFO("[" << v.substr(0, 40) << "]");
    auto out = t.render({{"labels.stream", v}}, ValueType::Name);
    CHECK_FALSE(out.ok());
    if (!out.ok()) {
      CHECK(out.error().message.find("labels.stream") == 0);
      if (!v.empty()) CHECK(out.error().message.find(v) == std::string::npos);
    }
  }
  // The filter's type wins over the default type.
  Template host = parsed("ssh {{ finding.host | host }}");
  CHECK_FALSE(host.render({{"finding.host", "a;b"}}, ValueType::Word).ok());
  CHECK_FALSE(host.render({{"finding.host", "user@h"}}, ValueType::Word).ok());
  CHECK(host.render({{"finding.host", "h"}}, ValueType::Word).ok());
  // A default is checked like any value.
  Template bad_default = parsed("{{ labels.n | integer | default abc }}");
  CHECK_FALSE(bad_default.render({}, ValueType::Word).ok());
  CHECK(bad_default.check_defaults(ValueType::Word));
  CHECK_FALSE(parsed("{{ labels.n | default 5 }}").check_defaults(ValueType::Integer));
}

TEST_CASE("malformed templates are parse errors") {
  for (const char* text : {"{{ labels.stream", "x {{", "{{ }}", "{{}}", "{{ | name }}", "{{ labels.stream | shell }}",
                           "{{ labels.stream | name | host }}", "{{ labels.a | default }}",
                           "{{ labels.a | default x | default y }}", "{{ labels..a }}", "{{ labels.a b }}",
                           "{{ labels.$(id) }}", "{{ {{ labels.a }} }}", "{{ labels.a | defaultx }}"}) {
    INFO(text);
    auto t = Template::parse(text);
    CHECK_FALSE(t.ok());
    if (!t.ok()) CHECK_FALSE(t.error().message.empty());
  }
}

}  // namespace rr

namespace rr {
namespace {

// Splits `line` into words as a POSIX shell would for a simple command with
// no expansions: single quotes, double quotes and backslashes. Any unquoted
// character the shell gives a meaning to (; & | < > $ ` ( ) * ? [ # ~ and
// newlines) makes it fail: the line would do more than run one command.
std::optional<std::vector<std::string>> shell_split(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      auto end = line.find('\'', i + 1);
      if (end == std::string::npos) return std::nullopt;
      word += line.substr(i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (std::string_view(";&|<>$`()*?[#~\"\n\t").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace

TEST_CASE("suggested commands: every accepted value stays exactly one shell word") {
  // Values each type accepts that a shell would read: globs, redirections,
  // URL query separators, a leading '=' (zsh).
  const std::vector<std::pair<ValueType, std::string>> values = {
      {ValueType::Subject, ">"},
      {ValueType::Subject, "cim.events.>"},
      {ValueType::Subject, "*"},
      {ValueType::Subject, "orders.*.eu"},
      {ValueType::Url, "http://h:1/p?a=1&b=2;c=(3)|x$y"},
      {ValueType::Url, "https://h/a*b?c#frag"},
      {ValueType::Name, "we?ird=name,1"},
      {ValueType::Word, "=ls"},
      {ValueType::Word, "plain-value_1.2:3/4@5+6"},
      {ValueType::Host, "nats-node-1.example.com"},
      {ValueType::Integer, "42"},
      {ValueType::Duration, "1h30m"},
  };
  for (const auto& [type, value] : values) {
    INFO(value_type_name(type) << " " << value);
    REQUIRE_FALSE(check_value(type, value));  // the type accepts it
    auto t = Template::parse("cmd --flag {{ finding.v | " + std::string(value_type_name(type)) + " }} end");
    REQUIRE(t);
    auto line = t.value().render({{"finding.v", value}}, ValueType::Word, Template::Quoting::Shell);
    REQUIRE(line);
    INFO(line.value());
    auto words = shell_split(line.value());
    REQUIRE(words);
    CHECK(*words == std::vector<std::string>{"cmd", "--flag", value, "end"});
  }
  // Glued to literal text, a quoted value still makes one word.
  auto glued = Template::parse("nats consumer add S {{ c | name }}-REPLAY");
  REQUIRE(glued);
  auto line = glued.value().render({{"c", "a?b"}}, ValueType::Word, Template::Quoting::Shell);
  REQUIRE(line);
  CHECK(shell_split(line.value()) == std::vector<std::string>{"nats", "consumer", "add", "S", "a?b-REPLAY"});
  CHECK(shell_word("it's") == "'it'\\''s'");
  CHECK(shell_split(shell_word("it's")) == std::vector<std::string>{"it's"});
}

}  // namespace rr
