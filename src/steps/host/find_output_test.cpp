// find's listing of old snapshot files, with -printf (size, date, path) and
// -print (path alone): sizes, dates, the oldest, find's errors, the cap,
// hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "steps/host/find_output.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

TEST_CASE("find -printf '%s %TY-%Tm-%Td %p': sizes, dates, paths with spaces, the oldest", "[host][find]") {
  json f = snapshot_facts(samples::kFindSnapshots);
  INFO(f.dump(2));
  REQUIRE(f["files"].size() == 3);
  CHECK(f["files"][0] == json{{"path", "/var/lib/nats/jetstream/APP/streams/CIM-EVENTS/snapshots/17.snap"},
                              {"size_bytes", 1048576},
                              {"modified", "2026-11-10"}});
  CHECK(f["files"][2]["path"] == "/var/lib/nats/jetstream/APP/streams/old copy/snapshots/3.snap");
  CHECK(f["files"][2]["size_bytes"] == 2048);
  CHECK(f["count"] == 3);
  CHECK(f["total_bytes"] == 1048576u + 536870912u + 2048u);
  CHECK(f["unparsed"] == 0);
  CHECK(f["truncated"] == false);
  CHECK(f["oldest"] == json{{"path", "/var/lib/nats/jetstream/APP/streams/CIM-EVENTS/snapshots/9.snap"},
                            {"modified", "2026-10-02"}});
}

TEST_CASE("find -print: paths alone; find's errors and CRLF", "[host][find]") {
  json f = snapshot_facts(
      "/var/lib/nats/jetstream/APP/streams/S/snapshots/1.snap\r\n"
      "find: '/var/lib/nats/jetstream/SYS': Permission denied\r\n"
      "./relative/2.snap\r\n"
      "\r\n");
  INFO(f.dump(2));
  REQUIRE(f["files"].size() == 2);
  CHECK(f["files"][0] == json{{"path", "/var/lib/nats/jetstream/APP/streams/S/snapshots/1.snap"}});
  CHECK(f["files"][1]["path"] == "./relative/2.snap");
  CHECK(f["count"] == 2);
  CHECK(f["total_bytes"] == 0);
  CHECK(f["unparsed"] == 1);
  CHECK_FALSE(f.contains("oldest"));
}

TEST_CASE("find -printf with find's time (%T+) and mixed lines", "[host][find]") {
  json f = snapshot_facts(
      "100 2026-11-10+12:34:56.1234567890 /d/a.snap\n"
      "200 2026-11-09 /d/b.snap\n"
      "300 2026-13 /d/c.snap\n"  // no date: read as a -print path
      "400 2026-11-08\n"         // no path
      "no path here\n");
  INFO(f.dump(2));
  REQUIRE(f["files"].size() == 3);
  CHECK(f["files"][0]["modified"] == "2026-11-10+12:34:56.1234567890");
  CHECK(f["files"][2] == json{{"path", "300 2026-13 /d/c.snap"}});
  CHECK(f["count"] == 3);
  CHECK(f["total_bytes"] == 300);
  CHECK(f["unparsed"] == 2);
  CHECK(f["oldest"]["path"] == "/d/b.snap");
}

TEST_CASE("find output: empty, the cap, huge sizes, garbage, 10 MB, bounded", "[host][find]") {
  json e = snapshot_facts("");
  CHECK(e["files"].empty());
  CHECK(e["count"] == 0);
  CHECK(e["total_bytes"] == 0);
  CHECK(e["truncated"] == false);

  std::string many;
  for (int i = 0; i < 2500; ++i) many += "10 2026-11-" + std::to_string(10 + i % 10) + " /d/" + std::to_string(i) + ".snap\n";
  json m = snapshot_facts(many);
  CHECK(m["files"].size() == kMaxSnapshotFiles);
  CHECK(m["count"] == 2500);
  CHECK(m["total_bytes"] == 25000);
  CHECK(m["truncated"] == true);
  CHECK(m["oldest"]["path"] == "/d/0.snap");

  json big = snapshot_facts("18446744073709551615 2026-11-10 /d/a.snap\n5 2026-11-10 /d/b.snap\n"
                            "99999999999999999999 2026-11-10 /d/c.snap\n");
  CHECK(big["total_bytes"] == 18446744073709551615ull);  // saturates
  CHECK_FALSE(big["files"][2].contains("size_bytes"));     // too big: read as a -print path

  std::mt19937 rng(11);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(snapshot_facts(garbage).dump());  // valid UTF-8 everywhere
  std::string line = "1 2026-11-10 /" + std::string(10u << 20, 'a');
  json l = snapshot_facts(line);
  REQUIRE(l["files"].size() == 1);
  CHECK(l["files"][0]["path"].get<std::string>().size() <= 1024);
  std::string ten;
  while (ten.size() < (17u << 20)) ten += samples::kFindSnapshots;
  json t = snapshot_facts(ten);
  CHECK(t["truncated"] == true);
  CHECK(t["unparsed"] == 0);  // the cut line is dropped, not half read
  // Linear work takes well under a second; quadratic work on these sizes takes hours.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

}  // namespace
}  // namespace rr::host
