// Triage::plan and Triage::run with a fake step kind and a fake judge:
// shared steps run once, refused parameters are skipped and said, and the
// verdict and severity follow the judged findings.

#include <catch2/catch.hpp>

#include <mutex>
#include <set>

#include "engine/engine_test_util.h"
#include "engine/triage.h"

namespace rr {
namespace {

using test::alerts_of;
using test::firing_alert;
using test::notification;

const char* kRules = R"Y(rules:
  - name: server-down
    match: {alertname: ServerDown}
    steps:
      - id: probe
        kind: test.probe
        with: {server: "{{ labels.server }}"}
    verify:
      - id: probe
        kind: test.probe
        with: {server: "{{ labels.server }}"}
    suggest:
      - {command: "restart {{ finding.server | host }}", why: "it is down", risk: medium, when: test.server_down}
  - name: no-verify
    match: {alertname: Quiet}
    steps:
      - id: probe
        kind: test.probe
        with: {server: "{{ labels.server }}"}
)Y";

// test.probe looks at one server (a `host` parameter) and reports the state
// the test gave that server ("up" by default) as its facts.
struct Probe {
  std::map<std::string, std::string> states;  // set before the triage runs
  std::mutex mu;
  std::multiset<std::string> servers;  // every server it was run for
  std::shared_ptr<std::atomic<int>> calls;
};

// The fake judge: "down" is critical, "slow" a warning, "note" info.
void judge_probes(const std::vector<StepResult>& steps, const JudgeContext&, std::vector<Finding>& out) {
  for (const StepResult& r : steps) {
    if (r.kind != "test.probe" || r.status != StepStatus::Ok) continue;
    std::string server = r.facts.value("server", "");
    std::string state = r.facts.value("state", "");
    if (state == "down")
      out.push_back(Finding{Severity::Critical, "test.server_down", "Server " + server + " is down", "", {},
                            {{"server", server}}});
    else if (state == "slow")
      out.push_back(Finding{Severity::Warning, "test.server_slow", "Server " + server + " is slow", "", {}, {}});
    else if (state == "note")
      out.push_back(Finding{Severity::Info, "test.note", "Server " + server + " says hello", "", {}, {}});
  }
}

Triage make_triage(const std::shared_ptr<Probe>& probe, Config config = {}) {
  StepRegistry registry;
  probe->calls = test::add_fake(
      registry, "test.probe",
      [probe](const StepInput& in) {
        std::string server = in.param("server");
        std::string state = probe->states.count(server) ? probe->states.at(server) : "up";
        if (state == "skip") {
          StepResult skipped;
          skipped.status = StepStatus::Skipped;
          skipped.summary = "skipped: no SSH hosts configured";
          return skipped;
        }
        if (state == "broken") {
          StepResult failed;
          failed.status = StepStatus::Failed;
          failed.summary = "probe failed";
          return failed;
        }
        {
          std::lock_guard lock(probe->mu);
          probe->servers.insert(server);
        }
        return test::ok_result(server + " is " + state, {{"server", server}, {"state", state}});
      },
      {{"server", {ValueType::Host, true}}});
  Judges judges;
  judges.add(std::make_unique<test::FakeJudge>(judge_probes));
  return Triage(test::make_context(std::move(config), kRules, std::move(registry), std::move(judges)));
}

Alert server_down(std::string fingerprint, std::string server, std::string instance = "i1") {
  return firing_alert(std::move(fingerprint),
                      {{"alertname", "ServerDown"}, {"server", std::move(server)}, {"instance", std::move(instance)}});
}

Report triage(const Triage& t, const Notification& n) { return t.run(n, t.plan(alerts_of(n)), nullptr); }

}  // namespace

TEST_CASE("triage: two alerts that need the same step (kind and parameters) run it once") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  auto n = notification("g", {server_down("fp1", "n1", "a"), server_down("fp2", "n1", "b")});

  Report r = triage(t, n);

  CHECK(*probe->calls == 1);
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].id == "probe");
  CHECK(r.steps[0].status == StepStatus::Ok);
  REQUIRE(r.alerts.size() == 2);
  CHECK(r.alerts[0].rule == "server-down");
  CHECK(r.alerts[1].rule == "server-down");
  CHECK(r.rule == "server-down");
}

TEST_CASE("triage: the same step with other parameters runs once per value, under distinct ids") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  auto n = notification("g", {server_down("fp1", "n1"), server_down("fp2", "n2"), server_down("fp3", "n1", "i2")});

  Report r = triage(t, n);

  CHECK(*probe->calls == 2);
  CHECK(probe->servers == std::multiset<std::string>{"n1", "n2"});
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[0].id == "probe");
  CHECK(r.steps[0].summary == "n1 is up");
  CHECK(r.steps[1].id == "probe-2");
  CHECK(r.steps[1].summary == "n2 is up");
}

TEST_CASE("triage: a step whose parameter fails its type is skipped with the reason and not run") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  auto n = notification("g", {server_down("fp1", "n1;reboot")});

  auto plans = t.plan(alerts_of(n));
  REQUIRE(plans.size() == 1);
  REQUIRE(plans[0].steps.size() == 1);
  REQUIRE(plans[0].steps[0].refused);
  CHECK_THAT(*plans[0].steps[0].refused, Catch::StartsWith("parameter server refused: "));

  Report r = t.run(n, plans, nullptr);

  CHECK(*probe->calls == 0);
  REQUIRE(r.steps.size() == 1);
  CHECK(r.steps[0].id == "probe");
  CHECK(r.steps[0].status == StepStatus::Skipped);
  CHECK(r.steps[0].summary == "skipped: " + *plans[0].steps[0].refused);
  CHECK(r.steps[0].summary.find("reboot") == std::string::npos);  // the reason never echoes the value
  CHECK_THAT(r.verdict, Catch::StartsWith("No checks could run: skipped: parameter server refused: "));
}

TEST_CASE("triage: a refused step never stands in for a runnable step of the same kind") {
  // `one` is refused (a bad label) and keeps no parameters; `all` has none.
  StepRegistry registry;
  auto calls = test::add_fake(
      registry, "test.probe", [](const StepInput& in) { return test::ok_result("looked at " + in.param("server")); },
      {{"server", {ValueType::Host, false}}});
  Triage t(test::make_context(Config{}, R"Y(rules:
  - name: server-down
    match: {alertname: ServerDown}
    steps:
      - {id: one, kind: test.probe, with: {server: "{{ labels.server }}"}}
      - {id: all, kind: test.probe}
)Y",
                                  std::move(registry), Judges{}));
  auto n = notification("g", {server_down("fp1", "bad;x")});

  Report r = triage(t, n);

  CHECK(*calls == 1);
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[0].id == "one");
  CHECK(r.steps[0].status == StepStatus::Skipped);
  CHECK(r.steps[1].id == "all");
  CHECK(r.steps[1].status == StepStatus::Ok);
  CHECK(r.steps[1].summary == "looked at ");
}

TEST_CASE("triage: a refused alert does not stop the other alerts of its group") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  probe->states["n2"] = "down";
  auto n = notification("g", {server_down("fp1", "$(id)"), server_down("fp2", "n2")});

  Report r = triage(t, n);

  CHECK(*probe->calls == 1);
  CHECK(probe->servers == std::multiset<std::string>{"n2"});
  REQUIRE(r.steps.size() == 2);
  CHECK(r.steps[0].status == StepStatus::Skipped);
  CHECK(r.steps[1].status == StepStatus::Ok);
  CHECK(r.verdict == "Server n2 is down");
}

TEST_CASE("triage: the verdict names the most severe finding, not the first one judged") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  probe->states = {{"n1", "slow"}, {"n2", "down"}, {"n3", "note"}};
  // Judged in step order: the warning (n1) comes before the critical (n2).
  auto n = notification("g", {server_down("fp1", "n1"), server_down("fp2", "n2"), server_down("fp3", "n3")});

  Report r = triage(t, n);

  REQUIRE(r.findings.size() == 3);
  CHECK(r.findings[0].severity == Severity::Critical);
  CHECK(r.findings[1].severity == Severity::Warning);
  CHECK(r.findings[2].severity == Severity::Info);
  CHECK(r.worst() == Severity::Critical);
  CHECK(r.kind == Report::Kind::Triage);
  // Info findings are not counted among the serious ones.
  CHECK(r.verdict == "Server n2 is down (+1 more finding)");
}

TEST_CASE("triage: with no warning or critical finding the verdict is that nothing is wrong") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);

  SECTION("no findings at all") {
    Report r = triage(t, notification("g", {server_down("fp1", "n1")}));
    CHECK(r.findings.empty());
    CHECK(r.worst() == Severity::Ok);
    CHECK(r.verdict == "No problem found: 1 check ran and saw nothing wrong");
  }
  SECTION("an info finding only") {
    probe->states["n1"] = "note";
    Report r = triage(t, notification("g", {server_down("fp1", "n1"), server_down("fp2", "n2")}));
    REQUIRE(r.findings.size() == 1);
    CHECK(r.worst() == Severity::Info);
    CHECK(r.verdict == "No problem found: 2 checks ran and saw nothing wrong");
  }
}

TEST_CASE("triage: an alert no rule handles is reported as unmatched and runs nothing") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  auto n = notification("g", {firing_alert("fp9", {{"alertname", "DiskFull"}, {"server", "n1"}})});

  Report r = triage(t, n);

  CHECK(*probe->calls == 0);
  CHECK(r.kind == Report::Kind::Unmatched);
  CHECK(r.steps.empty());
  CHECK(r.verdict == "No rule handles DiskFull; nothing was run");
  REQUIRE(r.findings.size() == 1);
  CHECK(r.findings[0].code == "responder.no_rule");
  REQUIRE(r.alerts.size() == 1);
  CHECK(r.alerts[0].rule.empty());
}

}  // namespace rr

namespace rr {
namespace {

Alert resolved(Alert a) { return test::resolved(std::move(a), test::at_minute(10)); }

Report resolve(const Triage& t, const Notification& n) { return t.resolution(n, alerts_of(n), nullptr); }

}  // namespace

TEST_CASE("resolution: recovered only when the verify steps ran and found nothing wrong") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  auto n = notification("g", {resolved(server_down("a", "n1"))});
  Report ok = resolve(t, n);
  CHECK(ok.kind == Report::Kind::Resolution);
  CHECK(ok.verdict == "Recovered: ServerDown after 10m; 1 verification check found nothing wrong");
  REQUIRE(ok.steps.size() == 1);
  CHECK(ok.suggestions.empty());

  // Still down: not recovered, named, with the rule's suggestion for it (and no other).
  probe->states["n1"] = "down";
  Report down = resolve(t, n);
  CHECK(down.verdict == "Resolved: ServerDown after 10m, but not recovered: Server n1 is down");
  CHECK(down.worst() == Severity::Critical);
  REQUIRE(down.suggestions.size() == 1);
  CHECK(down.suggestions[0].command == "restart n1");

  // A check that could not run is not a pass.
  probe->states["n1"] = "broken";
  CHECK(resolve(t, n).verdict.rfind("Resolved: ServerDown after 10m; recovery not verified: probe failed", 0) == 0);
}

TEST_CASE("resolution: checks that could not run are named, never passed off as a full recovery") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  // The second alert's server label is no host name: its verify step is refused, so skipped.
  Alert refused = resolved(server_down("b", "n2;reboot"));
  auto n = notification("g", {resolved(server_down("a", "n1")), refused});

  Triage::Verification v = t.verify(alerts_of(n), nullptr);
  CHECK(v.recovered);  // nothing that ran found anything wrong
  CHECK(v.ran == 1);
  CHECK_THAT(v.not_run, Catch::StartsWith("1 check could not run: probe-2 (parameter server refused: "));
  CHECK_THAT(v.summary, Catch::StartsWith("1 verification check found nothing wrong, but 1 check could not run: probe-2"));

  Report r = resolve(t, n);
  INFO(r.verdict);
  CHECK_THAT(r.verdict, Catch::StartsWith("Resolved: 2 alerts; recovered, but 1 check could not run: probe-2 (parameter "
                                          "server refused: "));
  CHECK_THAT(r.verdict, Catch::EndsWith("; 1 other found nothing wrong"));
  CHECK(r.verdict.find("Recovered") == std::string::npos);
  CHECK(r.suggestions.empty());

  // Every check ran: the plain "Recovered" again.
  auto all_ran = notification("g", {resolved(server_down("a", "n1")), resolved(server_down("c", "n3"))});
  CHECK(resolve(t, all_ran).verdict == "Recovered: 2 alerts; 2 verification checks found nothing wrong");
  CHECK(t.verify(alerts_of(all_ran), nullptr).not_run.empty());

  // Skips with the same reason are listed together, each reason once.
  probe->states = {{"n5", "skip"}, {"n6", "skip"}};
  auto skips = notification("g", {resolved(server_down("a", "n1")), resolved(server_down("e", "n5")), refused,
                                  resolved(server_down("f", "n6"))});
  CHECK(t.verify(alerts_of(skips), nullptr).not_run ==
        "3 checks could not run: probe-2, probe-4 (no SSH hosts configured); probe-3 (parameter server refused: "
        "labels.server is not a valid host: it contains ';')");
}

TEST_CASE("resolution: a rule without verify steps sends the short notice and runs nothing") {
  auto probe = std::make_shared<Probe>();
  Triage t = make_triage(probe);
  Alert quiet = resolved(firing_alert("q", {{"alertname", "Quiet"}, {"server", "n1"}}));
  Report r = resolve(t, notification("g", {quiet}));
  CHECK(r.verdict == "Resolved: Quiet after 10m");
  CHECK(r.steps.empty());
  CHECK(probe->calls->load() == 0);
}

}  // namespace rr

namespace rr {

TEST_CASE("triage: beyond engine.max_steps, steps are skipped with the reason, never started") {
  auto probe = std::make_shared<Probe>();
  Config config;
  config.engine.max_steps = 2;
  Triage t = make_triage(probe, config);
  auto n = test::notification("g", {server_down("a", "n1"), server_down("b", "n2"), server_down("c", "n3"),
                                    server_down("d", "n4")});
  Report r = t.run(n, t.plan(test::alerts_of(n)), nullptr);
  REQUIRE(r.steps.size() == 4);
  CHECK(probe->calls->load() == 2);
  int skipped = 0;
  for (const auto& s : r.steps) {
    if (s.status != StepStatus::Skipped) continue;
    ++skipped;
    CHECK(s.summary == "skipped: this triage already runs 2 steps (engine.max_steps)");
  }
  CHECK(skipped == 2);
}

}  // namespace rr
