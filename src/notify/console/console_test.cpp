#include <catch2/catch.hpp>

#include <sstream>
#include <thread>

#include "notify/console/console.h"
#include "notify/test_reports.h"

namespace rr {
namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST_CASE("render_text shows title, verdict, findings, steps, suggestions and links") {
  std::string text = render_text(test_reports::small());
  CHECK(text.rfind("[FIRING:1] NatsServerDown nats-west\n", 0) == 0);
  CHECK(contains(text, "Verdict: nats-9 is down; the other 2 servers have quorum [critical]"));
  CHECK(contains(text, "Rule: nats-server-down"));
  CHECK(contains(text, "[CRITICAL] nats-9 does not answer (nats.server_down)"));
  CHECK(contains(text, "      - health: nats-9 connection refused"));
  CHECK(contains(text, "[ok] health nats.health on cluster nats-west (3 servers) (120ms)"));
  CHECK(contains(text, "[timeout] jetstream nats.jetstream (5s)"));
  CHECK(contains(text, "      | nats-0 ok\n      | nats-1 ok\n      | nats-9 connection refused\n"));
  CHECK(contains(text, "  $ systemctl restart nats-server\n      restart the stopped server on nats-9 (risk: medium)"));
  CHECK(contains(text, "  Runbook: https://runbooks.example.com/nats/server-down"));
  CHECK_FALSE(contains(text, "max_alerts"));
}

TEST_CASE("findings are listed most severe first even if the report is unsorted") {
  Report r = test_reports::small();
  std::swap(r.findings[0], r.findings[1]);
  std::string text = render_text(r);
  CHECK(text.find("[CRITICAL]") < text.find("[INFO]"));
}

TEST_CASE("render_text notes truncated alerts and strips terminal escapes") {
  Report r = test_reports::small();
  r.truncated_alerts = 3;
  r.verdict = test_reports::kHostile;
  r.steps[0].output = "a\x1b]0;pwned\x07 b";
  std::string text = render_text(r);
  CHECK(contains(text, "left out 3 more alert(s)"));
  CHECK_FALSE(contains(text, "\x1b"));
  CHECK_FALSE(contains(text, "\x07"));
}

TEST_CASE("long step output is trimmed") {
  Report r = test_reports::small();
  r.steps[0].output.clear();
  for (int i = 0; i < 500; ++i) r.steps[0].output += "line " + std::to_string(i) + "\n";
  std::string text = render_text(r);
  CHECK(contains(text, "| line 0\n"));
  CHECK_FALSE(contains(text, "line 499"));
  CHECK(text.size() < 6000);
}

TEST_CASE("the console notifier writes whole reports without interleaving") {
  std::ostringstream out;
  auto notifier = make_console_notifier(&out);
  Report r = test_reports::small();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j) CHECK(notifier->send(Message{r, ""}, Deadline::after(std::chrono::seconds(1))).ok);
    });
  for (auto& t : threads) t.join();
  std::string one = render_text(r) + "\n";
  std::string expected;
  for (int i = 0; i < 40; ++i) expected += one;
  CHECK(out.str() == expected);
}

TEST_CASE("a failed console write is reported") {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  auto notifier = make_console_notifier(&out);
  Report r = test_reports::small();
  Delivery d = notifier->send(Message{r, ""}, Deadline::after(std::chrono::seconds(1)));
  CHECK_FALSE(d.ok);
  CHECK_FALSE(d.error.empty());
}

}  // namespace
}  // namespace rr
