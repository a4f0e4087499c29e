#include "app/cli.h"

#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "app/logging.h"
#include "app/serve.h"
#include "app/setup.h"
#include "app/test_rules.h"
#include "notify/console/console.h"
#include "report/report_json.h"
#include "version.h"

namespace rr {
namespace {

constexpr const char* kUsage = R"(runbook-responder: first-responder triage for NATS and JetStream alerts

Usage:
  runbook-responder serve  [--config FILE]
  runbook-responder check  [--config FILE]
  runbook-responder triage --payload FILE [--config FILE] [--format text|json] [--plan]
  runbook-responder test-rules FILE...
  runbook-responder --version | --help

Commands:
  serve    Receive Alertmanager webhooks (POST /webhook), triage, notify.
           Without --config: listen 127.0.0.1:9095, rules from rules/*.yaml,
           one NATS cluster at nats://127.0.0.1:4222 (monitor :8222), console.
  check    Validate the configuration and the rules; print file:line: message
           for every problem and exit 1 if there is any.
  triage   Run one Alertmanager payload (a JSON file, "-" for stdin) through
           the same pipeline and print the report. --plan runs nothing and
           prints the matched rule and every step with its parameters.
  test-rules
           Run rule unit tests (YAML; README "Testing your rules"): alerts
           through the same pipeline with canned step results, checked
           against the expected rule, findings and suggestions. Exit 0 when
           all pass, 1 when one fails, 2 when a file cannot be loaded.

Options:
  --config FILE         configuration file (YAML; see README)
  --log-format FORMAT   text (default) or json (one JSON object per line)
  --log-level LEVEL     trace, debug, info (default), warn, error, off
)";

struct Args {
  std::string command;
  std::optional<std::string> config, payload;
  std::vector<std::string> files;  // test-rules
  std::string format = "text";
  std::string log_format = "text";
  std::string log_level = "info";
  bool plan = false;
};

std::optional<Args> parse_args(int argc, char** argv, std::string& error) {
  Args a;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const std::string& name) -> std::optional<std::string> {
      if (i + 1 >= args.size()) {
        error = name + " needs a value";
        return std::nullopt;
      }
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      a.command = "help";
    } else if (arg == "--version") {
      a.command = "version";
    } else if (arg == "--config") {
      if (!(a.config = value(arg))) return std::nullopt;
    } else if (arg == "--payload") {
      if (!(a.payload = value(arg))) return std::nullopt;
    } else if (arg == "--format") {
      auto v = value(arg);
      if (!v) return std::nullopt;
      if (*v != "text" && *v != "json") {
        error = "--format must be text or json";
        return std::nullopt;
      }
      a.format = *v;
    } else if (arg == "--log-format") {
      auto v = value(arg);
      if (!v) return std::nullopt;
      a.log_format = *v;
    } else if (arg == "--log-level") {
      auto v = value(arg);
      if (!v) return std::nullopt;
      a.log_level = *v;
    } else if (arg == "--plan") {
      a.plan = true;
    } else if (!arg.empty() && arg[0] != '-' && a.command.empty()) {
      a.command = arg;
    } else if (!arg.empty() && arg[0] != '-' && a.command == "test-rules") {
      a.files.push_back(arg);
    } else {
      error = "unknown argument: " + arg;
      return std::nullopt;
    }
  }
  if (a.command.empty()) {
    error = "no command given";
    return std::nullopt;
  }
  return a;
}

void print_errors(const std::vector<Error>& errors) {
  for (const auto& e : errors) std::cerr << e.to_string() << "\n";
}

int run_check(const Args& a) {
  Loaded loaded = load_all(a.config);
  if (!loaded.errors.empty()) {
    print_errors(loaded.errors);
    std::cerr << loaded.errors.size() << " problem" << (loaded.errors.size() == 1 ? "" : "s") << " found\n";
    return 1;
  }
  const auto& cfg = *loaded.ctx.config;
  std::cout << "ok: " << cfg.source << ": " << loaded.ctx.rules->rules().size() << " rule(s) from "
            << loaded.rule_files.size() << " file(s), " << cfg.clusters.size() << " cluster(s), "
            << cfg.notify.size() << " notify target(s)\n";
  return 0;
}

std::optional<std::string> read_payload(const std::string& path) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) return std::nullopt;
    ss << f.rdbuf();
  }
  return ss.str();
}

void print_plan(const std::vector<AlertPlan>& plans) {
  for (const auto& p : plans) {
    std::cout << "alert " << (p.alert->name().empty() ? "(unnamed)" : p.alert->name()) << " ["
              << p.alert->fingerprint << "]\n";
    if (!p.rule) {
      std::cout << "  no rule matches\n";
      continue;
    }
    std::cout << "  rule " << p.rule->name << " (" << p.rule->where.to_string() << ")\n";
    std::cout << "  cluster " << (p.cluster ? p.cluster->name : "(none matches)") << "\n";
    for (const auto& s : p.steps) {
      std::cout << "  step " << s.id << ": " << s.kind << " timeout " << format_duration(s.timeout);
      for (const auto& [k, v] : s.params) std::cout << " " << k << "=" << v;
      if (s.refused) std::cout << "  REFUSED: " << *s.refused;
      std::cout << "\n";
    }
  }
}

int run_test_rules(const Args& a) {
  if (a.files.empty() || a.config) {
    std::cerr << "runbook-responder: test-rules takes test files (each names its rules and config)\n\n" << kUsage;
    return 2;
  }
  return run_rule_tests(a.files, std::cout, std::cerr);
}

int run_triage(const Args& a) {
  if (!a.payload) {
    std::cerr << "triage needs --payload FILE\n";
    return 2;
  }
  Loaded loaded = load_all(a.config);
  if (!loaded.errors.empty()) {
    print_errors(loaded.errors);
    return 1;
  }
  auto body = read_payload(*a.payload);
  if (!body) {
    std::cerr << *a.payload << ": cannot read\n";
    return 2;
  }
  auto n = parse_notification(*body);
  if (!n) {
    std::cerr << *a.payload << ": " << n.error().to_string() << "\n";
    return 1;
  }
  Triage triage(loaded.ctx);
  std::vector<const Alert*> firing, resolved;
  for (const auto& alert : n->alerts) (alert.firing() ? firing : resolved).push_back(&alert);
  auto plans = triage.plan(firing);
  if (a.plan) {
    print_plan(plans);
    return 0;
  }
  Report report = firing.empty() ? (resolved.empty() ? triage.run(*n, {}, nullptr) : triage.resolution(*n, resolved))
                                 : triage.run(*n, plans, nullptr);
  if (a.format == "json")
    std::cout << report_to_json_text(report, 2) << "\n";
  else
    std::cout << render_text(report);
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  std::string error;
  auto args = parse_args(argc, argv, error);
  if (!args) {
    std::cerr << "runbook-responder: " << error << "\n\n" << kUsage;
    return 2;
  }
  if (args->command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (args->command == "version") {
    std::cout << "runbook-responder " << RR_VERSION << "\n";
    return 0;
  }
  auto logging = setup_logging(args->log_format, args->log_level);
  if (!logging) {
    std::cerr << "runbook-responder: " << logging.error().to_string() << "\n";
    return 2;
  }
  if (args->command == "serve") {
    Loaded loaded = load_all(args->config);
    if (!loaded.errors.empty()) {
      print_errors(loaded.errors);
      spdlog::critical("refusing to start: {} problem(s) in configuration or rules", loaded.errors.size());
      return 1;
    }
    return serve(loaded.ctx, args->config);
  }
  if (args->command == "check") return run_check(*args);
  if (args->command == "triage") return run_triage(*args);
  if (args->command == "test-rules") return run_test_rules(*args);
  std::cerr << "runbook-responder: unknown command " << args->command << "\n\n" << kUsage;
  return 2;
}

}  // namespace rr
