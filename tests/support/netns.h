#pragma once
// Network namespaces of a test's own making, for partitions that loopback
// cannot show: one namespace per node, each joined by a veth pair to a
// bridge in the root namespace, on a private /24 that no interface of the
// host uses. Root only (`ip netns`, `ip link`); every object is deleted in
// the destructor, also when construction fails half-way. Commands run
// through rr::test::run (no shell), each bounded.

#include <string>
#include <vector>

namespace rr::test {

// "" when this process can make namespaces and veth pairs, else why not
// ("not running as root (uid 1000)", "`ip netns add` failed: ...").
std::string netns_unavailable();

class TestNetwork {
 public:
  // `nodes` namespaces rr<pid>n<i>, the bridge rr<pid>br at 10.<a>.<b>.1/24
  // in the root namespace, node i at 10.<a>.<b>.<i+2>. Throws
  // std::runtime_error naming the command that failed.
  explicit TestNetwork(int nodes);
  ~TestNetwork() = default;  // undo_ deletes everything
  TestNetwork(const TestNetwork&) = delete;
  TestNetwork& operator=(const TestNetwork&) = delete;

  int size() const { return static_cast<int>(namespaces_.size()); }
  const std::string& ns(int i) const { return namespaces_.at(static_cast<std::size_t>(i)); }
  std::string address(int i) const;  // "10.a.b.(i+2)"
  std::string gateway() const { return prefix_ + "1"; }  // the bridge, in the root namespace

  // argv run inside node i's namespace: {"ip", "netns", "exec", NS, argv...}.
  std::vector<std::string> in(int i, const std::vector<std::string>& argv) const;

  // Drops all traffic between nodes a and b, both ways, with blackhole
  // routes in both namespaces; the root namespace still reaches both.
  void cut(int a, int b);

 private:
  // Runs argv (bounded); throws with its output on failure.
  void must(const std::vector<std::string>& argv);
  // Runs argv and remembers `undo` to run in the destructor, newest first.
  void make(const std::vector<std::string>& argv, std::vector<std::string> undo);

  // Commands that undo what was made, run newest first when it is
  // destroyed: a member, so that they run also when the constructor throws.
  struct UndoList {
    std::vector<std::vector<std::string>> commands;
    UndoList() = default;
    UndoList(const UndoList&) = delete;
    UndoList& operator=(const UndoList&) = delete;
    ~UndoList();
  };

  UndoList undo_;
  std::string prefix_;  // "10.a.b."
  std::vector<std::string> namespaces_;
};

}  // namespace rr::test
