#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>

#include "common/text.h"

namespace rr {
namespace {

constexpr std::size_t kMaxMessageBytes = 64 * 1024;

std::mutex g_redactor_mu;
std::shared_ptr<const Redactor> g_redactor;  // null: built-in rules not made yet

// The message, redacted.
std::string redacted(const spdlog::details::log_msg& msg) {
  std::shared_ptr<const Redactor> r;
  {
    std::lock_guard lock(g_redactor_mu);
    r = g_redactor;
  }
  std::string_view text(msg.payload.data(), msg.payload.size());
  return r ? r->apply(text) : std::string(text);
}

// %j: the message as a JSON string (quoted and escaped), so that a label
// value with quotes or newlines cannot break or forge a log line.
class JsonMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    auto quoted = nlohmann::json(redacted(msg)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<JsonMessage>(); }
};

// %q: the message on one line, valid UTF-8, control characters escaped.
class SafeMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string line = log_safe(redacted(msg), kMaxMessageBytes);
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SafeMessage>(); }
};

}  // namespace

void set_log_redactor(const Redactor& redactor) {
  auto r = std::make_shared<const Redactor>(redactor);
  std::lock_guard lock(g_redactor_mu);
  g_redactor = std::move(r);
}

Result<bool> setup_logging(const std::string& format, const std::string& level) {
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off")
    return Error{"--log-level", "unknown level " + level + " (trace, debug, info, warn, error, off)"};
  if (auto builtin = Redactor::make()) set_log_redactor(builtin.value());
  auto logger = spdlog::stderr_color_mt("runbook-responder");
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessage>('j').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":%t,"msg":%j})");
    logger->set_formatter(std::move(formatter));
  } else if (format == "text") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<SafeMessage>('q').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %q");
    logger->set_formatter(std::move(formatter));
  } else {
    return Error{"--log-format", "unknown format " + format + " (text, json)"};
  }
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
  return true;
}

}  // namespace rr
