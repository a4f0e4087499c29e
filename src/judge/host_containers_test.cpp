// Findings from the container listing (steps/host/docker_ps.h): the wanted
// container down or missing, NATS-named containers when none is wanted,
// listings that cannot tell, foreign facts.

#include <catch2/catch.hpp>

#include "judge/finding_test_util.h"
#include "judge/host_containers.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

std::vector<Finding> findings(const json& facts, const std::string& wanted) {
  FindingSet set;
  container_findings(facts, "titan-1", "containers", wanted, set);
  std::vector<Finding> out;
  set.move_to(out);
  return out;
}

TEST_CASE("container findings: the wanted container exited is critical") {
  auto fs = findings(container_facts(samples::kDockerPs), "titan-nats");
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  const Finding& f = fs[0];
  CHECK(f.code == "host.container_down");
  CHECK(f.severity == Severity::Critical);
  CHECK(f.values.at("host") == "titan-1");
  CHECK(f.values.at("container") == "titan-nats");
  CHECK(f.values.at("state") == "exited");
  CHECK(f.values.at("status") == "Exited (1) 5 minutes ago");
  CHECK(f.values.at("image") == "nats:2.10-alpine");
  CHECK(f.title == "titan-1: container titan-nats is exited (Exited (1) 5 minutes ago)");
  CHECK(f.detail.find("docker logs") != std::string::npos);
  REQUIRE(f.evidence.size() == 1);
  CHECK(f.evidence[0] == "containers: titan-nats exited Exited (1) 5 minutes ago nats:2.10-alpine");
}

TEST_CASE("container findings: the wanted container running gives none; other containers are not judged") {
  CHECK(findings(container_facts(samples::kDockerPs), "titan-api").empty());
  CHECK(findings(container_facts(samples::kDockerPs), "nats-exporter").empty());
  // titan-worker restarts, but it is not the wanted container.
  CHECK(findings(container_facts("titan-nats\trunning\tUp 1 hour\tnats\nweb,app/nats\tpaused\tUp 1 hour\tn\n"),
                 "titan-nats")
            .empty());
  auto paused = findings(container_facts("web,app/nats\tpaused\tUp 1 hour (Paused)\tn\n"), "app/nats");
  REQUIRE(paused.size() == 1);  // any of its names
  CHECK(paused[0].values.at("state") == "paused");
  CHECK(paused[0].values.at("container") == "web,app/nats");
}

TEST_CASE("container findings: the wanted container absent is critical") {
  auto fs = findings(container_facts(samples::kDockerPs), "nats");
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].code == "host.container_missing");
  CHECK(fs[0].severity == Severity::Critical);
  CHECK(fs[0].values.at("host") == "titan-1");
  CHECK(fs[0].values.at("container") == "nats");
  CHECK(fs[0].title == "titan-1: no container nats");
  CHECK(fs[0].evidence[0] == "containers: no nats among [titan-api, titan-nats, nats-exporter, titan-worker]");
  // An empty listing from docker: nothing runs there.
  auto empty = findings(container_facts(""), "titan-nats");
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].code == "host.container_missing");
  CHECK(empty[0].evidence[0] == "containers: no titan-nats among no containers");
}

TEST_CASE("container findings: not missing when the listing cannot tell") {
  CHECK(findings(container_facts("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n"),
                 "titan-nats")
            .empty());
  std::string many;
  for (int i = 0; i < 1500; ++i) many += "c" + std::to_string(i) + "\trunning\tUp 1 hour\timg\n";
  CHECK(findings(container_facts(many), "titan-nats").empty());
}

TEST_CASE("container findings: no wanted container reports every non-running one named like NATS") {
  std::string ps = samples::kDockerPs + "NATS-box\tcreated\tCreated\tnatsio/nats-box\nmy-nats-2\trunning\tUp\tn\n";
  auto fs = findings(container_facts(ps), "");
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 2);  // not titan-worker (not NATS), not nats-exporter or my-nats-2 (running)
  CHECK(fs[0].values.at("container") == "titan-nats");
  CHECK(fs[1].values.at("container") == "NATS-box");
  CHECK(fs[1].values.at("state") == "created");
  CHECK(fs[1].detail.find("never started") != std::string::npos);
  for (const auto& f : fs) CHECK(f.code == "host.container_down");
  CHECK(test::with_code(fs, "host.container_missing").empty());
  CHECK(findings(container_facts(""), "").empty());
}

TEST_CASE("container findings read foreign facts defensively") {
  CHECK(findings(json(1), "titan-nats").empty());
  CHECK(findings(json::parse(R"({"containers":{"a":1}})"), "titan-nats").empty());
  // No state: read from the status.
  auto fs = findings(json::parse(R"({"containers":[{"name":"titan-nats","status":"Restarting (1) 2s ago"},
      {"name":"nats-2","status":"Up 2 hours"},{"name":5},{"name":"nats-3","state":"RUNNING"}]})"),
                     "");
  INFO(test::describe(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].values.at("container") == "titan-nats");
  CHECK(fs[0].values.at("state") == "restarting");
}

}  // namespace
}  // namespace rr::host
