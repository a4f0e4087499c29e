#pragma once
// Test-only: hand-built reports shared by the notify tests (renderers,
// notifiers, dispatcher). Header-only so it never enters the library.

#include <string>

#include "report/report.h"

namespace rr::test_reports {

// Text written to get past a renderer: every service's mentions, links
// (Slack's, Markdown's, Google Chat's), entities, fences, terminal escapes,
// newlines and a multi-byte character.
inline const std::string kHostile =
    "<!channel> <@U123> & <https://evil.example|click> &amp; ``` end``` \n*bold* `x` \x1b[31mred\x1b[0m é"
    " @channel @here @all @everyone <users/all> [click](https://evil.example) <at>boss</at>";

inline Report small() {
  Report r;
  r.kind = Report::Kind::Triage;
  r.id = "r-1";
  r.status = "firing";
  r.title = "[FIRING:1] NatsServerDown nats-west";
  r.group_key = "{}:{alertname=\"NatsServerDown\"}";
  r.receiver = "nats-diag";
  r.group_labels = {{"alertname", "NatsServerDown"}, {"cluster", "nats-west"}};
  r.common_labels = {{"alertname", "NatsServerDown"}, {"cluster", "nats-west"}, {"severity", "critical"}};
  r.alerts = {ReportAlert{"NatsServerDown", "firing", "c1aa405082786383",
                          {{"alertname", "NatsServerDown"}, {"server", "nats-9"}}, "nats-9 down",
                          TimePoint(std::chrono::seconds(1795393973)), "nats-server-down"}};
  r.rule = "nats-server-down";
  r.cluster = "nats-west";
  r.verdict = "nats-9 is down; the other 2 servers have quorum";
  Finding down;
  down.severity = Severity::Critical;
  down.code = "nats.server_down";
  down.title = "nats-9 does not answer";
  down.detail = "Its monitoring port refused the connection.";
  down.evidence = {"health: nats-9 connection refused", "health: 2 of 3 servers answered"};
  Finding quorum;
  quorum.severity = Severity::Info;
  quorum.code = "nats.quorum_ok";
  quorum.title = "JetStream has quorum";
  r.findings = {down, quorum};
  StepResult health;
  health.id = "health";
  health.kind = "nats.health";
  health.target = "cluster nats-west (3 servers)";
  health.status = StepStatus::Ok;
  health.duration = Millis(120);
  health.summary = "2 of 3 servers healthy";
  health.output = "nats-0 ok\nnats-1 ok\nnats-9 connection refused";
  StepResult js;
  js.id = "jetstream";
  js.kind = "nats.jetstream";
  js.status = StepStatus::Timeout;
  js.duration = Millis(5000);
  js.summary = "no answer within 5s";
  r.steps = {health, js};
  r.suggestions = {Suggestion{"systemctl restart nats-server", "restart the stopped server on nats-9", "medium"}};
  r.links = {Link{"Runbook", "https://runbooks.example.com/nats/server-down"},
             Link{"Silence", "http://127.0.0.1:9093/#/silences/new?filter=%7Balertname%3D%22NatsServerDown%22%7D"}};
  r.created = TimePoint(std::chrono::seconds(1795394000));
  r.triage_duration = Millis(1250);
  return r;
}

// 200 findings, 50 steps with 10 KB outputs, 60 suggestions, 100 alerts and
// hostile text everywhere.
inline Report huge() {
  Report r = small();
  r.title = std::string(300, 'T') + kHostile;
  r.verdict = "VERDICT " + kHostile + std::string(5000, 'v');
  r.findings.clear();
  for (int i = 0; i < 200; ++i) {
    Finding f;
    f.severity = i < 5 ? Severity::Critical : Severity::Warning;
    f.code = "code." + std::to_string(i);
    f.title = "finding " + std::to_string(i) + " " + kHostile;
    f.detail = std::string(2000, 'd') + kHostile;
    for (int e = 0; e < 20; ++e) f.evidence.push_back("evidence " + kHostile + std::string(300, 'e'));
    r.findings.push_back(f);
  }
  r.steps.clear();
  for (int i = 0; i < 50; ++i) {
    StepResult s;
    s.id = "step" + std::to_string(i);
    s.kind = "nats.health";
    s.target = kHostile;
    s.status = StepStatus::Failed;
    s.summary = kHostile;
    std::string out;
    while (out.size() < 10000) out += "line " + kHostile + "\n";
    s.output = out;
    r.steps.push_back(s);
  }
  r.suggestions.clear();
  for (int i = 0; i < 60; ++i)
    r.suggestions.push_back(Suggestion{"nats server check ```; rm -rf / " + kHostile, "why " + kHostile, "high"});
  r.alerts.clear();
  for (int i = 0; i < 100; ++i)
    r.alerts.push_back(ReportAlert{"Alert" + kHostile, "firing", "0123456789abcdef", {}, kHostile, {}, ""});
  for (int i = 0; i < 40; ++i) r.links.push_back(Link{kHostile, "https://example.com/" + std::to_string(i)});
  r.links.push_back(Link{"Evil", "javascript:alert(1)"});
  r.truncated_alerts = 3;
  return r;
}

}  // namespace rr::test_reports
