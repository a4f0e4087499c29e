// df output as GNU coreutils and busybox print it: header variants, wrapped
// device names, mount points with spaces, sizes, hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "steps/host/df_output.h"
#include "steps/host/test_samples.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

TEST_CASE("df -h PATH: the runbook's step", "[host][df]") {
  json facts = disk_facts(samples::kDfH);
  INFO(facts.dump());
  REQUIRE(facts["filesystems"].size() == 1);
  const json& fs = facts["filesystems"][0];
  CHECK(fs["filesystem"] == "/dev/sdb1");
  CHECK(fs["mount"] == "/var/lib/nats");
  CHECK(fs["size"] == "50G");
  CHECK(fs["used"] == "48G");
  CHECK(fs["avail"] == "2.6G");
  CHECK(fs["size_bytes"] == 50ull << 30);
  CHECK(fs["used_bytes"] == 48ull << 30);
  CHECK(fs["avail_bytes"] == static_cast<std::uint64_t>(2.6 * (1ull << 30) + 0.5));
  CHECK(fs["use_percent"] == 95);
  CHECK_FALSE(fs.contains("type"));
  CHECK(facts["unparsed"] == 0);
}

TEST_CASE("df -P, df -B1 and df -k: block units from the header", "[host][df]") {
  json p = disk_facts(samples::kDfP);
  REQUIRE(p["filesystems"].size() == 2);
  CHECK(p["filesystems"][0]["size_bytes"] == 51474912ull * 1024);
  CHECK(p["filesystems"][0]["use_percent"] == 80);
  CHECK(p["filesystems"][0]["mount"] == "/");
  CHECK(p["filesystems"][1]["mount"] == "/dev/shm");
  CHECK(p["filesystems"][1]["use_percent"] == 0);

  json b = disk_facts(
      "Filesystem        1B-blocks        Used   Available Use% Mounted on\n"
      "/dev/nvme0n1p2 107374182400 32212254720 75161927680  30% /var/lib/nats\n");
  CHECK(b["filesystems"][0]["avail_bytes"] == 75161927680ull);
  CHECK(b["filesystems"][0]["use_percent"] == 30);
  json k = disk_facts(
      "Filesystem     1K-blocks  Used Available Use% Mounted on\n"
      "overlay         1000000 990000     10000 99% /\n");
  CHECK(k["filesystems"][0]["used_bytes"] == 990000ull * 1024);
  CHECK(k["filesystems"][0]["use_percent"] == 99);
}

TEST_CASE("plain df: a long device name wraps onto its own line; spaces in mount points; df -T", "[host][df]") {
  json facts = disk_facts(
      "Filesystem           1K-blocks      Used Available Use% Mounted on\n"
      "/dev/mapper/vg_nats-lv_jetstream_store_very_long_name\n"
      "                      51474912  46327420   5147492  91% /var/lib/nats\n"
      "/dev/sdc1              1000000    500000    500000  50% /mnt/backup disk 2\r\n");
  INFO(facts.dump());
  REQUIRE(facts["filesystems"].size() == 2);
  CHECK(facts["filesystems"][0]["filesystem"] == "/dev/mapper/vg_nats-lv_jetstream_store_very_long_name");
  CHECK(facts["filesystems"][0]["mount"] == "/var/lib/nats");
  CHECK(facts["filesystems"][0]["use_percent"] == 91);
  CHECK(facts["filesystems"][1]["mount"] == "/mnt/backup disk 2");
  json typed = disk_facts(
      "Filesystem     Type  Size  Used Avail Use% Mounted on\n"
      "/dev/sdb1      xfs    50G   41G  9.0G  82% /var/lib/nats\n");
  CHECK(typed["filesystems"][0]["type"] == "xfs");
  CHECK(typed["filesystems"][0]["use_percent"] == 82);
  CHECK(typed["filesystems"][0]["mount"] == "/var/lib/nats");
}

TEST_CASE("df sizes", "[host][df]") {
  CHECK(parse_df_size("0", 0) == 0u);
  CHECK(parse_df_size("4.0K", 0) == 4096u);
  CHECK(parse_df_size("1.5T", 0) == static_cast<std::uint64_t>(1.5 * (1ull << 40)));
  CHECK(parse_df_size("2,6G", 0) == static_cast<std::uint64_t>(2.6 * (1ull << 30) + 0.5));
  CHECK(parse_df_size("100", 1024) == 102400u);
  CHECK_FALSE(parse_df_size("-", 0));
  CHECK_FALSE(parse_df_size("12X", 0));
  CHECK_FALSE(parse_df_size("G", 0));
  CHECK_FALSE(parse_df_size("99999999999999999999999", 1));
  CHECK_FALSE(parse_df_size("9999E", 0));
}

TEST_CASE("df output that is not df: errors, garbage, 10 MB, no crash and bounded", "[host][df]") {
  json e = disk_facts("df: /var/lib/nats: No such file or directory\n");
  CHECK(e["filesystems"].empty());
  CHECK(e["unparsed"] == 1);
  CHECK(disk_facts("")["filesystems"].empty());
  std::mt19937 rng(3);
  std::string garbage(1 << 20, '\0');
  for (auto& c : garbage) c = static_cast<char>(rng());
  auto start = std::chrono::steady_clock::now();
  CHECK_NOTHROW(disk_facts(garbage).dump());
  std::string many = "Filesystem      Size  Used Avail Use% Mounted on\n";
  while (many.size() < (10u << 20)) many += "/dev/sdb1        50G   48G  2.6G  95% /var/lib/nats\n";
  json m = disk_facts(many);
  CHECK(m["filesystems"].size() == kMaxFilesystems);
  std::string line(10u << 20, 'a');
  CHECK(disk_facts(line)["unparsed"] == 1);
  // Linear work takes well under a second; quadratic work on these sizes takes hours.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(60));
}

}  // namespace
}  // namespace rr::host
