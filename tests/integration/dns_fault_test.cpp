// A DNS name whose DNS server never answers: the SSH step (a host of the
// inventory) and the HTTP step (a name in a URL) end at their own deadline,
// saying the name was not resolved, instead of waiting for the resolver's
// retries. The responder runs in a network
// namespace of the test's making whose resolv.conf (`ip netns exec` mounts
// /etc/netns/NS/resolv.conf) names a UDP port where the test reads queries
// and never answers. Needs root; elsewhere CTest reports it skipped.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/payloads.h"
#include "support/netns.h"
#include "support/process.h"
#include "support/skip.h"

using namespace rr::test;
using nlohmann::json;

namespace {

// A UDP socket on address:53 that reads DNS queries and answers none.
class SilentDns {
 public:
  explicit SilentDns(const std::string& address) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(53);
    inet_pton(AF_INET, address.c_str(), &a.sin_addr);
    bound_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{0, 100000};
    if (bound_) setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    reader_ = std::thread([this] {
      char buf[1500];
      while (!stop_ && bound_)
        if (recv(fd_, buf, sizeof buf, 0) > 0) ++queries_;
    });
  }
  ~SilentDns() {
    stop_ = true;
    reader_.join();
    if (fd_ >= 0) close(fd_);
  }
  bool bound() const { return bound_; }
  int queries() const { return queries_; }

 private:
  int fd_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<int> queries_{0};
  std::thread reader_;
};

// /etc/netns/NS/resolv.conf for the life of the test.
class NetnsResolvConf {
 public:
  NetnsResolvConf(const std::string& ns, const std::string& nameserver) : dir_("/etc/netns/" + ns) {
    std::filesystem::create_directories(dir_);
    write_file(dir_ / "resolv.conf", "nameserver " + nameserver + "\noptions timeout:5 attempts:2\n");
  }
  ~NetnsResolvConf() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  std::filesystem::path dir_;
};

// A network namespace whose resolv.conf names a DNS server that never
// answers, and a directory for the responder's files. Construct it after
// netns_unavailable() said yes.
struct SilentDnsNamespace {
  TestNetwork net{1};
  SilentDns dns{net.gateway()};
  NetnsResolvConf resolv{net.ns(0), net.gateway()};
  TempDir dir;

  // Triages one alert named `alertname` inside the namespace with rules.yaml
  // (written by the test) and `config_tail` after the rules and cluster
  // lines of the config; the report's JSON.
  json triage(const std::string& config_tail, const std::string& alertname) {
    write_file(dir / "config.yaml", "rules: [\"" + (dir / "rules.yaml").string() + "\"]\n"
                                    "clusters:\n"
                                    "  - {name: cim, servers: [\"nats://127.0.0.1:4222\"]}\n" + config_tail +
                                    "engine: {step_timeout: 2s, deadline: 30s}\n");
    write_file(dir / "payload.json",
               alert_payload("{}:{alertname=\"" + alertname + "\"}", {{"alertname", alertname}}).dump());
    auto r = run(net.in(0, {RR_BINARY, "triage", "--payload", (dir / "payload.json").string(), "--config",
                            (dir / "config.yaml").string(), "--format", "json"}),
                 std::chrono::seconds(60));
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.output.substr(r.output.find('{')));
  }
};

}  // namespace

TEST_CASE("A URL whose host name's DNS never answers costs the HTTP step its deadline, no more") {
  const std::string why = netns_unavailable();
  RR_REQUIRE_OR_SKIP(why.empty(), why);
  SilentDnsNamespace ns;
  REQUIRE(ns.dns.bound());
  write_file(ns.dir / "rules.yaml", R"(rules:
  - name: dns
    match: {alertname: DnsHttp}
    steps:
      - {id: health, kind: http.json, with: {url: "http://titan.never-answers.test:3100/health"}, timeout: 2s}
)");
  const json report = ns.triage("", "DnsHttp");
  REQUIRE(report["steps"].size() == 1);
  const json& step = report["steps"][0];
  INFO(step.dump(2));
  CHECK(ns.dns.queries() >= 1);
  CHECK(report.dump().find("name not resolved: timed out") != std::string::npos);
  // The step's own 2 s, not the resolver's 5 s × 2 attempts per family.
  CHECK(step["duration_ms"].get<long>() <= 2500);
}

TEST_CASE("A host name whose DNS never answers costs the SSH step its deadline, no more") {
  const std::string why = netns_unavailable();
  RR_REQUIRE_OR_SKIP(why.empty(), why);
  SilentDnsNamespace ns;
  REQUIRE(ns.dns.bound());
  const TempDir& dir = ns.dir;
  auto keygen = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / "key").string()});
  REQUIRE(keygen.exit_code == 0);
  write_file(dir / "known_hosts", "");
  write_file(dir / "rules.yaml", R"(rules:
  - name: dns
    match: {alertname: Dns}
    steps:
      - {id: journal, kind: ssh.unit_journal, with: {unit: nats-server, lines: "10"}, timeout: 2s}
)");
  const json report = ns.triage("ssh: {user: nobody, key_file: " + (dir / "key").string() +
                                    ", known_hosts: " + (dir / "known_hosts").string() + "}\n"
                                    "hosts:\n"
                                    "  - {name: nats-node-1, address: nats-node-1.never-answers.test, cluster: cim}\n",
                                "Dns");
  REQUIRE(report["steps"].size() == 1);
  const json& step = report["steps"][0];
  INFO(step.dump(2));
  CHECK(ns.dns.queries() >= 1);  // the resolver really asked, and got nothing
  CHECK(step["summary"] == "unit_journal on nats-node-1: timeout");
  // The finding says why: the name, not the host, did not answer.
  CHECK(report.dump().find("name not resolved: timed out") != std::string::npos);
  CHECK(report["verdict"] == "SSH to nats-node-1 was cut off at the deadline");
  // The step's own 2 s, not the resolver's 5 s × 2 attempts per family.
  CHECK(step["duration_ms"].get<long>() <= 2500);
}
