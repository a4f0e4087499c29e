// docker ps -a with the Names, State, Status and Image columns: states,
// images, docker's errors, the cap, hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "steps/host/docker_ps.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

TEST_CASE("docker ps -a: one container per line, fields as printed", "[host][docker]") {
  json f = container_facts(samples::kDockerPs);
  INFO(f.dump(2));
  REQUIRE(f["containers"].size() == 4);
  CHECK(f["containers"][0] == json{{"name", "titan-api"},
                                   {"state", "running"},
                                   {"status", "Up 3 hours (healthy)"},
                                   {"image", "titan/api:4.2.1"}});
  CHECK(f["containers"][1] == json{{"name", "titan-nats"},
                                   {"state", "exited"},
                                   {"status", "Exited (1) 5 minutes ago"},
                                   {"image", "nats:2.10-alpine"}});
  CHECK(f["containers"][3]["state"] == "restarting");
  CHECK(f["unparsed"] == 0);
  CHECK(f["truncated"] == false);
}

TEST_CASE("docker ps: errors, short lines, CRLF, several names", "[host][docker]") {
  json f = container_facts(
      "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\r\n"
      "titan-nats\trunning\tUp 2 minutes\r\n"
      "web,app/web\tpaused\tUp 1 hour (Paused)\tnginx\r\n"
      "\trunning\tUp 1 hour\tnoname\r\n"
      "onlyname\trunning\r\n"
      "x\tcreated\tCreated\timage\textra\r\n");
  INFO(f.dump(2));
  REQUIRE(f["containers"].size() == 3);
  CHECK(f["containers"][0] ==
        json{{"name", "titan-nats"}, {"state", "running"}, {"status", "Up 2 minutes"}, {"image", ""}});
  CHECK(f["containers"][1]["name"] == "web,app/web");
  CHECK(f["containers"][1]["state"] == "paused");
  CHECK(f["containers"][2]["image"] == "image extra");  // one line: the stray tab becomes a space
  CHECK(f["unparsed"] == 3);
}

TEST_CASE("docker ps: empty, the cap, garbage, huge lines, bounded", "[host][docker]") {
  json e = container_facts("");
  CHECK(e["containers"].empty());
  CHECK(e["unparsed"] == 0);
  std::string many;
  for (int i = 0; i < 1500; ++i) many += "c" + std::to_string(i) + "\trunning\tUp 1 hour\timg\n";
  json m = container_facts(many);
  CHECK(m["containers"].size() == kMaxContainers);
  CHECK(m["truncated"] == true);

  std::mt19937 rng(13);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(container_facts(garbage).dump());  // valid UTF-8 everywhere
  json h = container_facts(std::string(5000, 'n') + "\texited\tExited (0)\timg\n");
  REQUIRE(h["containers"].size() == 1);
  CHECK(h["containers"][0]["name"].get<std::string>().size() <= 256);
  json huge = container_facts(std::string(10u << 20, 'n') + "\texited\tExited (0)\timg\n");
  CHECK(huge["containers"].empty());  // no real name is this long: not read past 8 KB
  CHECK(huge["unparsed"] == 1);
  std::string ten;
  while (ten.size() < (17u << 20)) ten += std::string(4000, 'x') + "\n";
  json t = container_facts(ten);
  CHECK(t["truncated"] == true);
  CHECK(t["containers"].empty());
  // Linear work takes well under a second; quadratic work on these sizes takes hours.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

}  // namespace
}  // namespace rr::host
