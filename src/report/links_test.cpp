#include <catch2/catch.hpp>

#include "report/links.h"

namespace rr {
namespace {

Alert alert(std::string runbook, std::string generator) {
  Alert a;
  a.status = "firing";
  a.labels = {{"alertname", "NatsJetStreamConsumerLag"}};
  if (!runbook.empty()) a.annotations["runbook_url"] = std::move(runbook);
  a.generator_url = std::move(generator);
  return a;
}

Notification sample() {
  Notification n;
  n.receiver = "nats diag";
  n.status = "firing";
  n.external_url = "http://127.0.0.1:9093";
  n.group_labels = {{"alertname", "NatsJetStreamConsumerLag"}, {"cluster", "nats-east"}};
  n.alerts = {alert("https://runbooks.example.com/nats/consumer-lag",
                    "http://prometheus.example:9090/graph?g0.expr=x+%3E+1&g0.tab=1"),
              alert("https://runbooks.example.com/nats/consumer-lag", "")};
  return n;
}

TEST_CASE("is_web_url accepts http and https only") {
  CHECK(is_web_url("http://a.example/x"));
  CHECK(is_web_url("https://a.example:8443/x?y=1&z=2"));
  CHECK_FALSE(is_web_url("javascript:alert(1)"));
  CHECK_FALSE(is_web_url("JavaScript://example.com/%0aalert(1)"));
  CHECK_FALSE(is_web_url("data:text/html,hi"));
  CHECK_FALSE(is_web_url("/relative/path"));
  CHECK_FALSE(is_web_url(""));
  CHECK_FALSE(is_web_url("https://a.example/x y"));
  CHECK_FALSE(is_web_url("https://a.example/x\n<!channel>"));
  CHECK_FALSE(is_web_url("http://"));
}

TEST_CASE("matcher_filter quotes and escapes values") {
  CHECK(matcher_filter({{"alertname", "A"}, {"cluster", "c"}}) == R"({alertname="A", cluster="c"})");
  CHECK(matcher_filter({{"q", "say \"hi\"\\"}}) == R"({q="say \"hi\"\\"})");
  CHECK(matcher_filter({}) == "{}");
}

TEST_CASE("silence and alerts URLs use Alertmanager's UI routes") {
  CHECK(silence_url("http://am:9093", {{"alertname", "A"}, {"cluster", "c"}}) ==
        "http://am:9093/#/silences/new?filter=%7Balertname%3D%22A%22%2C%20cluster%3D%22c%22%7D");
  CHECK(silence_url("http://am:9093/", {{"a", "b"}}) == "http://am:9093/#/silences/new?filter=%7Ba%3D%22b%22%7D");
  CHECK(alerts_url("http://am:9093", "nats diag") == "http://am:9093/#/alerts?receiver=nats%20diag");
}

TEST_CASE("build_links: runbook, source, silence, alerts, without duplicates") {
  auto links = build_links(sample());
  REQUIRE(links.size() == 4);
  CHECK(links[0].title == "Runbook");
  CHECK(links[0].url == "https://runbooks.example.com/nats/consumer-lag");
  CHECK(links[1].title == "Source");
  CHECK(links[1].url == "http://prometheus.example:9090/graph?g0.expr=x+%3E+1&g0.tab=1");
  CHECK(links[2].title == "Silence");
  CHECK(links[2].url ==
        "http://127.0.0.1:9093/#/silences/new?filter="
        "%7Balertname%3D%22NatsJetStreamConsumerLag%22%2C%20cluster%3D%22nats-east%22%7D");
  CHECK(links[3].title == "Alerts");
  CHECK(links[3].url == "http://127.0.0.1:9093/#/alerts?receiver=nats%20diag");
}

TEST_CASE("build_links drops non-web URLs") {
  Notification n = sample();
  n.alerts = {alert("javascript:alert(document.cookie)", "file:///etc/passwd")};
  n.external_url = "javascript:void(0)";
  CHECK(build_links(n).empty());
}

TEST_CASE("build_links silences on common labels when there are no group labels") {
  Notification n = sample();
  n.alerts.clear();
  n.group_labels.clear();
  n.common_labels = {{"alertname", "A"}};
  auto links = build_links(n);
  REQUIRE(links.size() == 2);
  CHECK(links[0].url == "http://127.0.0.1:9093/#/silences/new?filter=%7Balertname%3D%22A%22%7D");
  n.common_labels.clear();
  links = build_links(n);
  REQUIRE(links.size() == 1);
  CHECK(links[0].title == "Alerts");
}

}  // namespace
}  // namespace rr
