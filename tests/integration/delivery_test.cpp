// Nothing accepted is lost, against the real binary: a responder killed
// with SIGKILL after answering 200 triages and delivers after a restart
// (once), a full disk under the state directory gets 503 rather than a 200
// for work it could not record, and the full report page is served.

#include <catch2/catch.hpp>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/alertmanager.h"
#include "support/chromium.h"
#include "support/http_sink.h"
#include "support/process.h"
#include "support/skip.h"
#include "support/wait.h"

using namespace rr::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A rule whose one step reads the cluster's monitor: a sink the test can make
// slow, so a triage lasts as long as the test needs.
std::string config(const TempDir& dir, const std::string& state_dir, const HttpSink& monitor, const HttpSink& targets,
                   const std::string& extra = "") {
  write_file(dir / "rules.yaml", R"(rules:
  - name: test-health
    match: {alertname: TestHealth}
    steps:
      - {id: health, kind: nats.health}
)");
  return "listen: \"127.0.0.1:{{PORT}}\"\n"
         "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n"
         "clusters:\n"
         "  - name: test\n"
         "    servers: [\"nats://127.0.0.1:" + std::to_string(free_port()) + "\"]\n"
         "    monitor: [\"" + monitor.url("") + "\"]\n"
         "notify:\n"
         "  - {name: archive, type: webhook, url: \"" + targets.url("/webhook-json/archive") + "\"}\n"
         "engine: {workers: 2, queue: 16, cooldown: 5m, step_timeout: 30s, deadline: 40s}\n"
         "delivery: {first_backoff: 100ms, max_backoff: 300ms}\n"
         "state: {dir: \"" + state_dir + "\"}\n" + extra;
}

std::string payload(const std::string& name = "TestHealth", const std::string& fingerprint = "00000000000000a1") {
  return alert_payload("{}:{alertname=\"" + name + "\"}", {{"alertname", name}, {"cluster", "test"}}, "firing",
                       fingerprint)
      .dump();
}

int post(const Responder& r, const std::string& body) {
  httplib::Client c("127.0.0.1", r.port());
  c.set_read_timeout(10, 0);
  auto res = c.Post("/webhook", body, "application/json");
  return res ? res->status : 0;
}

httplib::Result get(const Responder& r, const std::string& path, const std::string& token = "") {
  httplib::Client c("127.0.0.1", r.port());
  c.set_read_timeout(10, 0);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return c.Get(path, h);
}

const char* kSent = "rr_notifications_total{target=\"archive\",outcome=\"sent\"}";

}  // namespace

TEST_CASE("delivery: killed (SIGKILL) in the middle of a triage it answered 200 for, the responder triages it after a restart") {
  TempDir dir;
  HttpSink monitor, targets;
  // The first responder's step hangs on the monitor until the test is done.
  monitor.script("/healthz", {}, SinkResponse(200, "{\"status\":\"ok\"}", {}, 120s));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(200, "{\"status\":\"ok\"}", {}, 120s));
  const std::string yaml = config(dir, (dir / "state").string(), monitor, targets);
  {
    Responder first(yaml);
    REQUIRE(post(first, payload()) == 200);
    REQUIRE(monitor.wait_for(1, 30s));  // the triage is under way
    first.process().kill_now();
  }
  CHECK(targets.requests().empty());
  monitor.script("/healthz", {}, SinkResponse(200, "{\"status\":\"ok\"}"));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(200, "{\"status\":\"ok\"}"));
  Responder second(yaml);
  INFO(second.log());
  REQUIRE(targets.wait_for(1, 60s));
  auto got = targets.requests("/webhook-json/archive");
  REQUIRE(got.size() == 1);
  json report = json::parse(got[0].body);
  CHECK(report["rule"] == "test-health");
  CHECK(report["kind"] == "triage");
  CHECK(second.log().find("1 journaled webhook(s) not yet triaged are queued again") != std::string::npos);
  // Alertmanager repeats the group: already triaged, nothing new.
  REQUIRE(post(second, payload()) == 200);
  REQUIRE(wait_until([&] { return second.metric("rr_alerts_total{action=\"duplicate\"}") >= 1; }, 30s));
  CHECK(targets.requests().size() == 1);
}

TEST_CASE("delivery: killed (SIGKILL) while its target was down, the responder delivers after a restart, once") {
  TempDir dir;
  HttpSink monitor, targets;
  monitor.script("/healthz", {}, SinkResponse(200, "{\"status\":\"ok\"}"));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(200, "{\"status\":\"ok\"}"));
  targets.script("/webhook-json/archive", {}, SinkResponse(503, "down for maintenance"));
  const std::string yaml = config(dir, (dir / "state").string(), monitor, targets);
  std::string report_id;
  {
    Responder first(yaml);
    REQUIRE(post(first, payload()) == 200);
    REQUIRE(targets.wait_for(3, 60s));  // tried, and retried, while the target is down
    report_id = json::parse(targets.requests()[0].body)["id"];
    CHECK(first.metric("rr_outbox_pending{target=\"archive\"}") == 1);
    first.process().kill_now();
  }
  const std::size_t tried = targets.requests().size();
  targets.script("/webhook-json/archive", {});  // the target is back
  Responder second(yaml);
  INFO(second.log());
  REQUIRE(wait_until([&] { return second.metric(kSent) == 1; }, 60s));
  auto got = targets.requests("/webhook-json/archive");
  REQUIRE(got.size() == tried + 1);
  CHECK(json::parse(got.back().body)["id"] == report_id);  // the same report, not a new triage
  CHECK(second.metric("rr_outbox_pending{target=\"archive\"}") == 0);
  CHECK(second.metric("rr_alerts_total{action=\"triaged\"}") == 0);
}

TEST_CASE("delivery: a full disk under the state directory gets 503 and a reason in /readyz, never a 200") {
  // A file system the test can fill: a small tmpfs (root only).
  RR_REQUIRE_OR_SKIP(::geteuid() == 0, "mounting a small tmpfs for the state directory needs root");
  TempDir dir;
  const auto state = dir / "state";
  std::filesystem::create_directories(state);
  auto mount = run({"mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", state.string()});
  REQUIRE(mount.exit_code == 0);
  struct Unmount {
    std::string path;
    ~Unmount() { run({"umount", "-l", path}); }
  } unmount{state.string()};

  HttpSink monitor, targets;
  monitor.script("/healthz", {}, SinkResponse(200, "{\"status\":\"ok\"}"));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(200, "{\"status\":\"ok\"}"));
  Responder responder(config(dir, state.string(), monitor, targets));
  REQUIRE(post(responder, payload("TestHealth", "00000000000000b1")) == 200);
  REQUIRE(targets.wait_for(1, 30s));

  // Fill the disk.
  {
    std::ofstream filler(state / "filler", std::ios::binary);
    std::string block(64 * 1024, 'f');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  // A body that needs fresh pages in the database: 20 annotations of 12 KB.
  auto big = alert_payload("{}:{alertname=\"TestHealth\"}", {{"alertname", "TestHealth"}, {"cluster", "test"}},
                           "firing", "00000000000000b2");
  for (int i = 0; i < 20; ++i) big["alerts"][0]["annotations"]["note" + std::to_string(i)] = std::string(12 * 1024, 'd');
  CHECK(post(responder, big.dump()) == 503);
  auto ready = get(responder, "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 503);
  CHECK(ready->body.find("full") != std::string::npos);
  CHECK(responder.metric("rr_webhooks_rejected_total{reason=\"state_unavailable\"}") == 1);
  CHECK(responder.log().find("cannot journal webhook") != std::string::npos);

  // Space again: Alertmanager's retry is taken, and triaged.
  std::filesystem::remove(state / "filler");
  REQUIRE(post(responder, big.dump()) == 200);
  REQUIRE(targets.wait_for(2, 30s));
  auto ready_again = get(responder, "/readyz");
  REQUIRE(ready_again);
  CHECK(ready_again->status == 200);
}

TEST_CASE("delivery: a state directory on a read-only file system gets 503 and a reason, never a 200") {
  RR_REQUIRE_OR_SKIP(::geteuid() == 0, "mounting a read-only tmpfs for the state directory needs root");
  TempDir dir;
  const auto state = dir / "state";
  std::filesystem::create_directories(state);
  REQUIRE(run({"mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", state.string()}).exit_code == 0);
  struct Unmount {
    std::string path;
    ~Unmount() { run({"umount", "-l", path}); }
  } unmount{state.string()};

  HttpSink monitor, targets;
  Responder responder(config(dir, state.string(), monitor, targets), 0, /*ready=*/false);
  // Up (it says why it is not ready rather than crash-looping), never 200.
  CHECK(post(responder, payload("TestHealth", "00000000000000c1")) == 503);
  auto ready = get(responder, "/readyz");
  REQUIRE(ready);
  CHECK(ready->status == 503);
  CHECK(ready->body.find("state store") != std::string::npos);
  CHECK(responder.metric("rr_webhooks_rejected_total{reason=\"state_unavailable\"}") == 1);
  CHECK(responder.log().find("webhooks will be answered 503 until this is fixed") != std::string::npos);
  CHECK(targets.requests().empty());
}

TEST_CASE("delivery: the full report page is linked from the report and served behind the credentials") {
  TempDir dir;
  HttpSink monitor, targets;
  monitor.script("/healthz", {}, SinkResponse(503, "{\"status\":\"unavailable\"}"));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(503, "{\"status\":\"unavailable\"}"));
  write_file(dir / "token", "webhook-token\n");
  write_file(dir / "read-token", "read-token\n");
  const std::string yaml = config(dir, (dir / "state").string(), monitor, targets,
                                  "external_url: \"http://127.0.0.1:{{PORT}}\"\n"
                                  "auth: {bearer_token_file: " + (dir / "token").string() +
                                      ", read_token_file: " + (dir / "read-token").string() + "}\n");
  Responder responder(yaml);
  httplib::Client c("127.0.0.1", responder.port());
  c.set_bearer_token_auth("webhook-token");
  auto posted = c.Post("/webhook", payload(), "application/json");
  REQUIRE(posted);
  REQUIRE(posted->status == 200);
  REQUIRE(targets.wait_for(1, 30s));
  json report = json::parse(targets.requests()[0].body);
  const std::string id = report["id"];
  const std::string url = report["url"];
  CHECK(url == "http://127.0.0.1:" + std::to_string(responder.port()) + "/reports/" + id);
  REQUIRE_FALSE(report["links"].empty());
  CHECK(report["links"][0]["url"] == url);
  CHECK(report["links"][0]["title"] == "Full report");

  const std::string path = "/reports/" + id;
  auto anonymous = get(responder, path);
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  for (const std::string token : {"webhook-token", "read-token"}) {
    auto page = get(responder, path, token);
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->get_header_value("Content-Type").find("text/html") == 0);
    CHECK(page->body.find(report["verdict"].get<std::string>()) != std::string::npos);
  }
  auto as_json = get(responder, path + "?format=json", "read-token");
  REQUIRE(as_json);
  CHECK(json::parse(as_json->body)["id"] == id);
  auto index = get(responder, "/reports?format=json", "read-token");
  REQUIRE(index);
  json listed = json::parse(index->body);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["id"] == id);
  auto missing = get(responder, "/reports/0123456789abcdef", "read-token");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  auto hostile = get(responder, "/reports/..%2f..%2fetc", "read-token");
  REQUIRE(hostile);
  CHECK(hostile->status == 404);
  // The read token cannot post webhooks.
  httplib::Client reader("127.0.0.1", responder.port());
  reader.set_bearer_token_auth("read-token");
  auto refused = reader.Post("/webhook", payload(), "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 401);
}

TEST_CASE("delivery: the report page as a browser shows it") {
  RR_REQUIRE_OR_SKIP(chromium::available(), chromium::why_unavailable());
  TempDir dir;
  HttpSink monitor, targets;
  monitor.script("/healthz", {}, SinkResponse(503, "{\"status\":\"unavailable\"}"));
  monitor.script("/healthz?js-enabled-only=true", {}, SinkResponse(503, "{\"status\":\"unavailable\"}"));
  Responder responder(config(dir, (dir / "state").string(), monitor, targets));
  REQUIRE(post(responder, payload()) == 200);
  REQUIRE(targets.wait_for(1, 30s));
  json report = json::parse(targets.requests()[0].body);
  const std::string url = responder.url() + "/reports/" + report["id"].get<std::string>();
  auto dom = chromium::dump_dom(url);
  INFO(dom.error);
  REQUIRE(dom.ok);
  CHECK(dom.dom.find(report["verdict"].get<std::string>()) != std::string::npos);
  for (const auto& f : report["findings"]) CHECK(dom.dom.find(f["title"].get<std::string>()) != std::string::npos);
  std::filesystem::create_directories("screenshots");
  auto shot = chromium::screenshot(url, "screenshots/responder-report-page.png", 390, 844);
  INFO(shot.error);
  CHECK(shot.ok);
  auto index = chromium::dump_dom(responder.url() + "/reports");
  REQUIRE(index.ok);
  CHECK(index.dom.find(report["id"].get<std::string>()) != std::string::npos);
}
