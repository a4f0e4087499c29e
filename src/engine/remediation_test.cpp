// Remediation's guards with fake steps and a real SQLite store: each guard
// alone stops an allowed action, and what is decided is said in the report.
// The action running over SSH is tested end to end in
// tests/integration/action_test.cpp.

#include <catch2/catch.hpp>

#include <filesystem>

#include "engine/engine_test_util.h"
#include "engine/remediation.h"
#include "state/sqlite_store.h"

namespace rr {
namespace {

using test::alerts_of;
using test::firing_alert;
using test::notification;

const char* kRules = R"Y(rules:
  - name: node-down
    match: {alertname: NodeDown}
    steps:
      - {id: health, kind: nats.health}
    actions:
      - {name: restart, when: test.down, run: restart_unit, guards: [single, quorum], why: "Bring it back."}
)Y";

// A temporary state directory with a real store.
struct TempStore {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("rr-remediation-" + std::to_string(std::random_device{}()));
  std::unique_ptr<SqliteStore> store;
  TempStore() {
    std::filesystem::create_directories(dir);
    auto s = SqliteStore::open((dir / "state.db").string());
    REQUIRE(s);
    store = std::move(*s);
  }
  ~TempStore() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// nats.health reports `healthy` of three servers healthy; the judge finds
// test.down for each server named in `down`, on host n<i>.
struct Fixture {
  std::vector<bool> healthy = {true, true, false};
  std::vector<int> down = {2};
  Config config;
  std::unique_ptr<Triage> triage;
  TempStore state;

  explicit Fixture(std::function<void(ActionsConfig&)> tune = {}) {
    config.clusters.push_back(ClusterConfig{});
    config.clusters.back().name = "c";
    for (int i = 0; i < 3; ++i) config.hosts.push_back(HostConfig{"n" + std::to_string(i), "", 22, "", "", "", "", {}});
    config.actions.allow.push_back({"node-down", "restart"});
    if (tune) tune(config.actions);
    StepRegistry registry;
    test::add_fake(registry, "nats.health", [this](const StepInput&) {
      nlohmann::json servers = nlohmann::json::array();
      for (std::size_t i = 0; i < healthy.size(); ++i)
        servers.push_back({{"monitor", "http://n" + std::to_string(i) + ":8222"}, {"healthy", healthy[i]}});
      return test::ok_result("health", {{"servers", servers}, {"total", healthy.size()}});
    });
    Judges judges;
    judges.add(std::make_unique<test::FakeJudge>(
        [this](const std::vector<StepResult>&, const JudgeContext&, std::vector<Finding>& out) {
          for (int i : down) {
            const std::string n = "n" + std::to_string(i);
            out.push_back(Finding{Severity::Critical, "test.down", n + " is down", "", {},
                                  {{"host", n}, {"monitor", "http://" + n + ":8222"}}});
          }
        }));
    triage = std::make_unique<Triage>(test::make_context(config, kRules, std::move(registry), std::move(judges)));
  }

  // Triage then decide, as the engine does.
  std::pair<Report, std::vector<ActionDecision>> decide(const Notification& n, std::vector<AlertPlan>& plans) {
    plans = triage->plan(alerts_of(n));
    Report report = triage->run(n, plans, nullptr);
    Remediation r(*state.store);
    auto decisions = r.decide(*triage, plans, report, Clock::now());
    return {std::move(report), std::move(decisions)};
  }
};

Notification node_down() { return notification("g", {firing_alert("a", {{"alertname", "NodeDown"}})}); }

const Finding* action_finding(const Report& r) {
  for (const auto& f : r.findings)
    if (f.code == "responder.action") return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("remediation: an allowed action with every guard holding goes, and the report says so first") {
  Fixture fx;
  auto n = node_down();
  std::vector<AlertPlan> plans;
  auto [report, decisions] = fx.decide(n, plans);
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0].verdict == ActionDecision::Verdict::Go);
  CHECK(decisions[0].target == "n2");
  REQUIRE(action_finding(report));
  CHECK(action_finding(report)->title == "Automatic action: restart (restart_unit) on n2 runs now");
}

TEST_CASE("remediation: not allowed, nothing is decided or said") {
  Fixture fx([](ActionsConfig& a) { a.allow.clear(); });
  auto n = node_down();
  std::vector<AlertPlan> plans;
  auto [report, decisions] = fx.decide(n, plans);
  CHECK(decisions.empty());
  CHECK_FALSE(action_finding(report));
}

TEST_CASE("remediation: dry run, single, unknown host and missing command each refuse") {
  SECTION("dry run") {
    Fixture fx([](ActionsConfig& a) { a.dry_run = true; });
    auto n = node_down();
    std::vector<AlertPlan> plans;
    auto [report, decisions] = fx.decide(n, plans);
    REQUIRE(decisions.size() == 1);
    CHECK(decisions[0].verdict == ActionDecision::Verdict::DryRun);
  }
  SECTION("two nodes down: single") {
    Fixture fx;
    fx.down = {1, 2};
    auto n = node_down();
    std::vector<AlertPlan> plans;
    auto [report, decisions] = fx.decide(n, plans);
    REQUIRE(decisions.size() == 2);
    for (const auto& d : decisions) {
      CHECK(d.verdict == ActionDecision::Verdict::Refused);
      CHECK(d.why == "single: 2 findings test.down, the action is for exactly one");
    }
  }
  SECTION("a host outside the inventory") {
    Fixture fx;
    fx.down = {7};
    auto n = node_down();
    std::vector<AlertPlan> plans;
    auto [report, decisions] = fx.decide(n, plans);
    REQUIRE(decisions.size() == 1);
    CHECK(decisions[0].why.find("no inventory host") != std::string::npos);
  }
  SECTION("no such action command") {
    Fixture fx([](ActionsConfig& a) { a.commands.clear(); });
    auto n = node_down();
    std::vector<AlertPlan> plans;
    auto [report, decisions] = fx.decide(n, plans);
    REQUIRE(decisions.size() == 1);
    CHECK(decisions[0].why == "no action command \"restart_unit\" in the config");
  }
}

TEST_CASE("remediation: the cooldown and the hourly limit come from the store, dry runs not counted") {
  Fixture fx([](ActionsConfig& a) {
    a.cooldown = std::chrono::minutes(30);
    a.max_per_hour = 1;
  });
  auto n = node_down();
  std::vector<AlertPlan> plans;
  const TimePoint now = Clock::now();
  REQUIRE(fx.state.store->record_action({now - std::chrono::minutes(1), "other", "x", "n1", "dry-run"}));
  CHECK(fx.decide(n, plans).second.at(0).verdict == ActionDecision::Verdict::Go);

  REQUIRE(fx.state.store->record_action({now - std::chrono::minutes(10), "other", "x", "n1", "done"}));
  auto cooling = fx.decide(n, plans).second;
  CHECK(cooling.at(0).verdict == ActionDecision::Verdict::Refused);
  CHECK(cooling.at(0).why.rfind("cooldown: action x ran on n1 at", 0) == 0);

  Fixture later([](ActionsConfig& a) {
    a.cooldown = std::chrono::minutes(5);
    a.max_per_hour = 1;
  });
  REQUIRE(later.state.store->record_action({now - std::chrono::minutes(40), "other", "x", "n1", "failed"}));
  CHECK(later.decide(n, plans).second.at(0).why == "hourly limit: 1 action ran in the last hour (max_per_hour 1)");
}

TEST_CASE("remediation: at the moment of acting, quorum is read again and nothing runs without it") {
  Fixture fx;
  auto n = node_down();
  std::vector<AlertPlan> plans;
  auto decisions = fx.decide(n, plans).second;
  REQUIRE(decisions.at(0).verdict == ActionDecision::Verdict::Go);
  Remediation r(*fx.state.store);

  fx.healthy = {true, false, false};  // a second server went meanwhile
  Report refused = r.act(*fx.triage, decisions[0], n, nullptr);
  CHECK(refused.verdict ==
        "Automatic action restart (restart_unit) on n2 not taken: quorum: only 1 of the other 2 servers answer "
        "healthy, not a majority of 3");

  fx.healthy = {true, true, true};  // it came back by itself
  CHECK(r.act(*fx.triage, decisions[0], n, nullptr).verdict.find("the target answers healthy again") != std::string::npos);
  // Neither was recorded: refusals do not count against the limits.
  auto recorded = fx.state.store->actions_since(Clock::now() - std::chrono::hours(1));
  REQUIRE(recorded);
  CHECK(recorded->empty());
}

}  // namespace rr
