#include "support/netns.h"

#include <unistd.h>

#include <stdexcept>

#include "support/process.h"

namespace rr::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kCommandTimeout = 10s;

std::string joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// A /24 in 10.0.0.0/8 that no address or route of the host mentions; the
// pid picks the first candidate so that parallel runs differ.
std::string free_prefix() {
  const std::string addrs = run({"ip", "-4", "addr", "show"}, kCommandTimeout).output +
                            run({"ip", "-4", "route", "show", "table", "all"}, kCommandTimeout).output;
  for (int attempt = 0; attempt < 200; ++attempt) {
    int n = (static_cast<int>(getpid()) + attempt * 7919) % (200 * 250);
    std::string prefix = "10." + std::to_string(50 + n / 250) + "." + std::to_string(n % 250) + ".";
    if (addrs.find(" " + prefix) == std::string::npos && addrs.find("\n" + prefix) == std::string::npos &&
        addrs.find(prefix.substr(0, prefix.size() - 1) + "/") == std::string::npos) {
      return prefix;
    }
  }
  throw std::runtime_error("no free 10.x.y.0/24 for the test network");
}

}  // namespace

std::string netns_unavailable() {
  if (geteuid() != 0) return "not running as root (uid " + std::to_string(geteuid()) + ")";
  const std::string probe = "rr" + std::to_string(getpid()) + "probe";
  auto add = run({"ip", "netns", "add", probe}, kCommandTimeout);
  if (add.exit_code != 0) return "`ip netns add` failed: " + add.output;
  auto veth = run({"ip", "netns", "exec", probe, "ip", "link", "add", "rrprobe0", "type", "veth", "peer", "name",
                   "rrprobe1"},
                  kCommandTimeout);
  run({"ip", "netns", "del", probe}, kCommandTimeout);
  if (veth.exit_code != 0) return "cannot create a veth pair: " + veth.output;
  return "";
}

TestNetwork::TestNetwork(int nodes) {
  const std::string tag = "rr" + std::to_string(getpid() % 1000000);
  prefix_ = free_prefix();
  const std::string bridge = tag + "br";
  make({"ip", "link", "add", bridge, "type", "bridge"}, {"ip", "link", "del", bridge});
  must({"ip", "addr", "add", prefix_ + "1/24", "dev", bridge});
  must({"ip", "link", "set", bridge, "up"});
  for (int i = 0; i < nodes; ++i) {
    const std::string ns = tag + "n" + std::to_string(i);
    const std::string host_end = tag + "h" + std::to_string(i), node_end = tag + "v" + std::to_string(i);
    make({"ip", "netns", "add", ns}, {"ip", "netns", "del", ns});
    namespaces_.push_back(ns);
    // Deleting one end of a veth pair deletes both; the namespace's end goes
    // with the namespace, this undo covers a failure in between.
    make({"ip", "link", "add", host_end, "type", "veth", "peer", "name", node_end}, {"ip", "link", "del", host_end});
    must({"ip", "link", "set", node_end, "netns", ns});
    must({"ip", "link", "set", host_end, "master", bridge});
    must({"ip", "link", "set", host_end, "up"});
    must(in(i, {"ip", "link", "set", "lo", "up"}));
    must(in(i, {"ip", "addr", "add", address(i) + "/24", "dev", node_end}));
    must(in(i, {"ip", "link", "set", node_end, "up"}));
  }
}

TestNetwork::UndoList::~UndoList() {
  for (auto it = commands.rbegin(); it != commands.rend(); ++it) run(*it, kCommandTimeout);
}

std::string TestNetwork::address(int i) const { return prefix_ + std::to_string(i + 2); }

std::vector<std::string> TestNetwork::in(int i, const std::vector<std::string>& argv) const {
  std::vector<std::string> out = {"ip", "netns", "exec", ns(i)};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

void TestNetwork::cut(int a, int b) {
  must(in(a, {"ip", "route", "add", "blackhole", address(b) + "/32"}));
  must(in(b, {"ip", "route", "add", "blackhole", address(a) + "/32"}));
}

void TestNetwork::must(const std::vector<std::string>& argv) {
  auto r = run(argv, kCommandTimeout);
  if (r.exit_code != 0) throw std::runtime_error("`" + joined(argv) + "` failed: " + r.output);
}

void TestNetwork::make(const std::vector<std::string>& argv, std::vector<std::string> undo) {
  must(argv);
  undo_.commands.push_back(std::move(undo));
}

}  // namespace rr::test
