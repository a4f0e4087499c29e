// df output as GNU coreutils and busybox print it: header variants, wrapped
// device names, mount points with spaces, thresholds, hostile input.

#include <catch2/catch.hpp>

#include <chrono>
#include <random>

#include "judge/finding_test_util.h"
#include "judge/host_disk.h"

namespace rr::host {
namespace {

using json = nlohmann::json;

std::vector<Finding> findings(const json& facts, DiskThresholds t = {}) {
  FindingSet set;
  disk_findings(facts, "nats-cluster-1", "df", t, set);
  std::vector<Finding> out;
  set.move_to(out);
  return out;
}

TEST_CASE("df -h PATH: the runbook's step") {
  json facts = disk_facts(
      "Filesystem      Size  Used Avail Use% Mounted on\n"
      "/dev/sdb1        50G   48G  2.6G  95% /var/lib/nats\n");
  INFO(facts.dump());
  REQUIRE(facts["filesystems"].size() == 1);
  const json& fs = facts["filesystems"][0];
  CHECK(fs["filesystem"] == "/dev/sdb1");
  CHECK(fs["mount"] == "/var/lib/nats");
  CHECK(fs["size"] == "50G");
  CHECK(fs["avail"] == "2.6G");
  CHECK(fs["size_bytes"] == 50ull << 30);
  CHECK(fs["used_bytes"] == 48ull << 30);
  CHECK(fs["avail_bytes"] == static_cast<std::uint64_t>(2.6 * (1ull << 30) + 0.5));
  CHECK(fs["use_percent"] == 95);
  CHECK(facts["unparsed"] == 0);

  auto fs_found = findings(facts);
  INFO(test::describe(fs_found));
  REQUIRE(fs_found.size() == 1);
  const Finding& f = fs_found[0];
  CHECK(f.code == "host.disk_high");
  CHECK(f.severity == Severity::Critical);
  CHECK(f.values.at("host") == "nats-cluster-1");
  CHECK(f.values.at("mount") == "/var/lib/nats");
  CHECK(f.values.at("percent") == "95");
  CHECK(f.values.at("avail") == "2.6G");
  CHECK(f.title == "nats-cluster-1: /var/lib/nats is 95 % full (2.6G free)");
}

TEST_CASE("df -P, df -B1 and df -k: block units from the header; thresholds") {
  json p = disk_facts(
      "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
      "/dev/sda1         51474912 41179930  10294982      80% /\n"
      "tmpfs              8156892        0   8156892       0% /dev/shm\n");
  REQUIRE(p["filesystems"].size() == 2);
  CHECK(p["filesystems"][0]["size_bytes"] == 51474912ull * 1024);
  CHECK(p["filesystems"][0]["use_percent"] == 80);
  auto fs = findings(p);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].severity == Severity::Warning);
  CHECK(fs[0].values.at("mount") == "/");
  CHECK(fs[0].values.at("avail") == "9.8 GiB");  // from bytes: df printed blocks
  CHECK(findings(p, {.warning_percent = 81, .critical_percent = 95}).empty());
  CHECK(findings(p, {.warning_percent = 50, .critical_percent = 80})[0].severity == Severity::Critical);

  json b = disk_facts(
      "Filesystem        1B-blocks        Used   Available Use% Mounted on\n"
      "/dev/nvme0n1p2 107374182400 32212254720 75161927680  30% /var/lib/nats\n");
  CHECK(b["filesystems"][0]["avail_bytes"] == 75161927680ull);
  CHECK(findings(b).empty());
  json k = disk_facts(
      "Filesystem     1K-blocks  Used Available Use% Mounted on\n"
      "overlay         1000000 990000     10000 99% /\n");
  CHECK(k["filesystems"][0]["used_bytes"] == 990000ull * 1024);
  CHECK(findings(k)[0].severity == Severity::Critical);
}

TEST_CASE("plain df: a long device name wraps onto its own line; spaces in mount points; df -T") {
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

TEST_CASE("df sizes") {
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

TEST_CASE("df output that is not df: errors, garbage, 10 MB, no crash and bounded") {
  json e = disk_facts("df: /var/lib/nats: No such file or directory\n");
  CHECK(e["filesystems"].empty());
  CHECK(e["unparsed"] == 1);
  CHECK(findings(json::parse(R"({"filesystems":[{"use_percent":"99"},{"use_percent":250},{"mount":"/"}]})")).empty());
  CHECK(findings(json(3)).empty());
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
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
}

}  // namespace
}  // namespace rr::host
