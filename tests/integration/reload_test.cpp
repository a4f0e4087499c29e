// SIGHUP reloads the configuration and the rules of a running responder:
// a valid one takes effect for what comes next, nothing accepted is lost
// across it, and a broken one is refused with its errors while the running
// configuration stays.

#include <catch2/catch.hpp>

#include <signal.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/alertmanager.h"
#include "support/http_sink.h"
#include "support/process.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;

namespace {

// The shipped rules named by `rules` (or rules at an absolute path), reports
// to the sink's `path`.
std::string config(const TempDir& dir, const HttpSink& sink, const std::string& rules, const std::string& path,
                   const std::string& extra = "") {
  write_file(dir / "token", "reload-token\n");
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "auth: {bearer_token_file: " + (dir / "token").string() + "}\n"
         "rules: [\"" + (rules.front() == '/' ? rules : RR_SOURCE_DIR "/rules/" + rules) + "\"]\n"
         "notify:\n"
         "  - {name: archive, type: webhook, url: \"" + sink.url(path) + "\"}\n"
         "engine: {workers: 2, queue: 256, cooldown: 5m, step_timeout: 2s, deadline: 5s}\n" + extra;
}

bool post(const Responder& r, const std::string& group, const std::string& alertname = "EventStreamDisconnected") {
  httplib::Client c("127.0.0.1", r.port());
  c.set_read_timeout(10, 0);
  auto res = c.Post("/webhook", {{"Authorization", "Bearer reload-token"}},
                    alert_payload(group, {{"alertname", alertname}, {"cluster", "cim"}, {"group", group}}, "firing",
                                  "fp-" + group)
                        .dump(),
                    "application/json");
  return res && res->status == 200;
}

std::size_t count_in_log(const Responder& r, const std::string& text) {
  const std::string log = r.log();
  std::size_t n = 0;
  for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
  return n;
}

// Writes `yaml` over the responder's config file, on its port.
void rewrite(const Responder& r, std::string yaml) {
  const std::string placeholder = "{{PORT}}";
  yaml.replace(yaml.find(placeholder), placeholder.size(), std::to_string(r.port()));
  write_file(r.config_file(), yaml);
}

// Sends SIGHUP and waits for the responder to say how the reload went.
void reload(Responder& r, const std::string& outcome) {
  const std::size_t before = count_in_log(r, outcome);
  REQUIRE(kill(r.process().pid(), SIGHUP) == 0);
  REQUIRE(wait_until([&] { return count_in_log(r, outcome) > before; }, std::chrono::seconds(20)));
}

}  // namespace

TEST_CASE("SIGHUP: a valid configuration takes effect, nothing queued is lost, a broken one is refused") {
  TempDir dir;
  HttpSink sink;
  const std::string first = config(dir, sink, "*.yaml", "/first");
  Responder responder(first);

  REQUIRE(post(responder, "g-before"));
  REQUIRE(sink.wait_for(1, std::chrono::seconds(20)));
  const json matched = json::parse(sink.requests("/first").at(0).body);
  CHECK(matched["rule"] == "event-stream-disconnected");

  // A storm in flight while the configuration changes under it: every
  // accepted notification still makes its report, to one target or the other.
  const int storm = 40;
  for (int i = 0; i < storm / 2; ++i) REQUIRE(post(responder, "g-storm-" + std::to_string(i)));
  rewrite(responder, config(dir, sink, "titan-nats.yaml", "/second"));
  reload(responder, "reloaded:");
  for (int i = storm / 2; i < storm; ++i) REQUIRE(post(responder, "g-storm-" + std::to_string(i)));
  INFO(responder.log());
  REQUIRE(wait_until([&] { return sink.requests("/first").size() + sink.requests("/second").size() >= 1 + storm; },
                     std::chrono::seconds(60)));
  CHECK(sink.requests("/first").size() + sink.requests("/second").size() == 1 + storm);

  // The new rules and target apply: only the Titan rules now, so the CIM alert is unmatched.
  const std::size_t second_before = sink.requests("/second").size();
  REQUIRE(post(responder, "g-after"));
  REQUIRE(wait_until([&] { return sink.requests("/second").size() > second_before; }, std::chrono::seconds(20)));
  const json unmatched = json::parse(sink.requests("/second").back().body);
  CHECK(unmatched["rule"] == "");

  // Broken: an unknown key in the config, then a rule that does not parse.
  // Refused, the errors logged, and the running configuration stays.
  rewrite(responder, config(dir, sink, "titan-nats.yaml", "/third", "no_such_key: 1\n"));
  reload(responder, "reload refused");
  CHECK(count_in_log(responder, "no_such_key") >= 1);
  write_file(dir / "broken.yaml", "rules:\n  - name: half\n    match: [\n");
  rewrite(responder, config(dir, sink, (dir / "broken.yaml").string(), "/third"));
  reload(responder, "reload refused");
  CHECK(count_in_log(responder, "broken.yaml:") >= 1);
  const std::size_t still = sink.requests("/second").size();
  REQUIRE(post(responder, "g-refused"));
  REQUIRE(wait_until([&] { return sink.requests("/second").size() > still; }, std::chrono::seconds(20)));
  CHECK(sink.requests("/third").empty());

  // A setting fixed at start is named as waiting for a restart.
  rewrite(responder, config(dir, sink, "titan-nats.yaml", "/second", "body_limit: 512KiB\n"));
  reload(responder, "reloaded:");
  CHECK(count_in_log(responder, "reload: body_limit changed; it takes effect after a restart") == 1);
}
