#include <catch2/catch.hpp>

#include "notify/slack/slack.h"
#include "notify/test_reports.h"
#include "support/http_sink.h"
#include "support/services/services.h"

namespace rr {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::size_t blocks_of_type(const json& body, const std::string& type) {
  std::size_t n = 0;
  for (const json& b : body["blocks"]) n += b["type"] == type;
  return n;
}

// Every mrkdwn/plain text of the message, joined.
std::string texts(const json& body) {
  std::string out;
  for (const json& b : body["blocks"]) {
    if (b.contains("text")) out += b["text"]["text"].get<std::string>() + "\n";
    if (b.contains("elements"))
      for (const json& e : b["elements"])
        out += (e.contains("url") ? e["text"]["text"].get<std::string>() + " " + e["url"].get<std::string>()
                                  : e["text"].get<std::string>()) +
               "\n";
  }
  return out;
}

TEST_CASE("escape_mrkdwn escapes & < > only") {
  CHECK(escape_mrkdwn("a & b <!channel> c > d") == "a &amp; b &lt;!channel&gt; c &gt; d");
  CHECK(escape_mrkdwn("plain *bold* `x`") == "plain *bold* `x`");
}

TEST_CASE("a small report shows all its parts within Slack's limits") {
  Report r = test_reports::small();
  json body = render_slack(r);
  CHECK(test::slack_violations(dump(body)).empty());
  CHECK(body["text"].get<std::string>().find("[FIRING:1] NatsServerDown nats-west") != std::string::npos);
  CHECK(body["text"].get<std::string>().find("nats-9 is down") != std::string::npos);
  REQUIRE(body["blocks"].size() > 3);
  CHECK(body["blocks"][0]["type"] == "header");
  CHECK(body["blocks"][0]["text"]["text"] == r.title);
  std::string all = texts(body);
  CHECK(all.find("*CRITICAL* nats-9 does not answer") != std::string::npos);
  CHECK(all.find("• health: nats-9 connection refused") != std::string::npos);
  CHECK(all.find("```systemctl restart nats-server```") != std::string::npos);
  CHECK(all.find("(risk: medium)") != std::string::npos);
  CHECK(all.find("`jetstream` nats.jetstream timeout (5s)") != std::string::npos);
  CHECK(all.find("```nats-0 ok\nnats-1 ok\nnats-9 connection refused```") != std::string::npos);
  CHECK(all.find("Runbook https://runbooks.example.com/nats/server-down") != std::string::npos);
  CHECK(all.find("more") == std::string::npos);  // nothing left out
  CHECK(blocks_of_type(body, "actions") == 1);
}

TEST_CASE("hostile text is escaped and cannot close a code block") {
  Report r = test_reports::small();
  r.verdict = test_reports::kHostile;
  r.suggestions = {Suggestion{"echo ```<!here>", test_reports::kHostile, "low"}};
  json body = render_slack(r);
  CHECK(test::slack_violations(dump(body)).empty());
  std::string all = texts(body);
  CHECK(all.find("<!channel>") == std::string::npos);
  CHECK(all.find("&lt;!channel&gt;") != std::string::npos);
  CHECK(all.find("&amp;amp;") != std::string::npos);  // a literal "&amp;" stays literal
  CHECK(all.find("\x1b") == std::string::npos);
  CHECK(all.find("```echo ` ` `&lt;!here&gt;```") != std::string::npos);
  CHECK(body["text"].get<std::string>().find('<') == std::string::npos);
}

TEST_CASE("only http(s) links become buttons") {
  Report r = test_reports::small();
  r.links = {Link{"Evil", "javascript:alert(1)"}, Link{"Good", "https://ok.example/"}};
  json body = render_slack(r);
  std::string all = texts(body);
  CHECK(all.find("javascript") == std::string::npos);
  CHECK(all.find("Good https://ok.example/") != std::string::npos);
  r.links = {Link{"Evil", "javascript:alert(1)"}};
  CHECK(blocks_of_type(render_slack(r), "actions") == 0);
}

TEST_CASE("a long multi-byte title is cut to 150 characters without splitting a character") {
  Report r = test_reports::small();
  r.title = "";
  for (int i = 0; i < 200; ++i) r.title += "é";
  json body = render_slack(r);
  std::string header = body["blocks"][0]["text"]["text"];
  CHECK(header.size() <= 150);
  CHECK(test::slack_violations(dump(body)).empty());
  r.title.clear();
  CHECK(render_slack(r)["blocks"][0]["text"]["text"] == "Runbook Responder report");
}

TEST_CASE("a huge report stays within every limit, keeps the verdict and says what it left out") {
  Report r = test_reports::huge();
  json body = render_slack(r);
  std::string text = dump(body);
  auto problems = test::slack_violations(text);
  INFO(problems.size() << " problems, first: " << (problems.empty() ? "" : problems[0]));
  CHECK(problems.empty());
  CHECK(body["blocks"].size() <= 50);
  std::string all = texts(body);
  CHECK(all.find("VERDICT") != std::string::npos);
  CHECK(all.find("*CRITICAL* finding 0 ") != std::string::npos);
  CHECK(all.find("more findings") != std::string::npos);
  CHECK(all.find("more step outputs") != std::string::npos);
  CHECK(all.find("see the JSON report") != std::string::npos);
  CHECK(all.find("left out 3 more alert(s)") != std::string::npos);
  CHECK(all.find("javascript") == std::string::npos);
  // Findings come before step outputs: if any output survived, all findings shown did too.
  CHECK(all.find("*Output of*") == std::string::npos);
}

TEST_CASE("when space is short, step outputs go before findings") {
  Report r = test_reports::small();
  r.steps[0].output = std::string(2000, 'o');
  SlackLimits tight;
  tight.max_block_text = 2200;
  json body = render_slack(r, tight);
  std::string all = texts(body);
  CHECK(test::slack_violations(dump(body)).empty());
  CHECK(all.find("nats-9 does not answer") != std::string::npos);
  CHECK(all.find("ooooo") == std::string::npos);
  CHECK(all.find("1 more step output") != std::string::npos);
}

}  // namespace
}  // namespace rr
