#include "support/http_sink.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rr::test {

namespace {

using nlohmann::json;

// Slack counts characters: UTF-8 bytes that do not continue a sequence.
std::size_t chars(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool iequal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// mrkdwn must carry & < > only as the entities &amp; &lt; &gt;.
bool escaped(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '<' || c == '>') return false;
    if (c == '&') {
      auto rest = std::string_view(text).substr(i + 1);
      if (!rest.starts_with("amp;") && !rest.starts_with("lt;") && !rest.starts_with("gt;")) return false;
    }
  }
  return true;
}

class SlackCheck {
 public:
  std::vector<std::string> problems;
  std::size_t total = 0;

  void fail(const std::string& where, const std::string& what) { problems.push_back(where + ": " + what); }

  // A text object: {"type": "plain_text"|"mrkdwn", "text": "..."}.
  void text(const json& t, const std::string& where, std::size_t max, bool plain_only = false) {
    if (!t.is_object() || !t.contains("type") || !t.contains("text") || !t["text"].is_string()) {
      fail(where, "not a text object");
      return;
    }
    std::string type = t["type"].is_string() ? t["type"].get<std::string>() : "";
    if (type != "plain_text" && (plain_only || type != "mrkdwn")) fail(where, "bad text type \"" + type + "\"");
    std::string s = t["text"].get<std::string>();
    total += chars(s);
    if (s.empty()) fail(where, "empty text");
    if (chars(s) > max) fail(where, "text of " + std::to_string(chars(s)) + " characters > " + std::to_string(max));
    if (type == "mrkdwn" && !escaped(s)) fail(where, "mrkdwn with unescaped & < >");
  }

  void block(const json& b, const std::string& where) {
    if (!b.is_object() || !b.contains("type") || !b["type"].is_string()) {
      fail(where, "block without a type");
      return;
    }
    std::string type = b["type"].get<std::string>();
    if (type == "header") {
      text(b.value("text", json()), where + ".text", 150, true);
    } else if (type == "section") {
      if (!b.contains("text") && !b.contains("fields")) fail(where, "section without text or fields");
      if (b.contains("text")) text(b["text"], where + ".text", 3000);
      if (b.contains("fields")) {
        const json& f = b["fields"];
        if (!f.is_array() || f.size() > 10) fail(where, "more than 10 fields");
        if (f.is_array())
          for (std::size_t i = 0; i < f.size(); ++i) text(f[i], where + ".fields[" + std::to_string(i) + "]", 2000);
      }
    } else if (type == "context") {
      const json& e = b.value("elements", json());
      if (!e.is_array() || e.empty() || e.size() > 10) fail(where, "context needs 1 to 10 elements");
      if (e.is_array())
        for (std::size_t i = 0; i < e.size(); ++i) text(e[i], where + ".elements[" + std::to_string(i) + "]", 3000);
    } else if (type == "actions") {
      const json& e = b.value("elements", json());
      if (!e.is_array() || e.empty() || e.size() > 25) fail(where, "actions need 1 to 25 elements");
      if (!e.is_array()) return;
      for (std::size_t i = 0; i < e.size(); ++i) {
        std::string at = where + ".elements[" + std::to_string(i) + "]";
        if (!e[i].is_object() || e[i].value("type", "") != "button") {
          fail(at, "not a button");
          continue;
        }
        text(e[i].value("text", json()), at + ".text", 75, true);
        std::string url = e[i].value("url", "");
        if (url.size() > 3000) fail(at, "url longer than 3000");
        if (!url.starts_with("http://") && !url.starts_with("https://")) fail(at, "url is not http(s)");
      }
    } else if (type != "divider") {
      fail(where, "unexpected block type \"" + type + "\"");
    }
  }
};

const char* kSchemaStrings[] = {"id",      "kind",    "status",   "title",    "group_key", "receiver",
                                "rule",    "cluster", "verdict",  "summary",  "severity",  "created"};

void require_keys(const json& obj, const std::string& where, std::initializer_list<const char*> strings,
                  std::vector<std::string>& problems) {
  if (!obj.is_object()) {
    problems.push_back(where + ": not an object");
    return;
  }
  for (const char* k : strings)
    if (!obj.contains(k) || !obj[k].is_string()) problems.push_back(where + "." + k + ": missing or not a string");
}

void require_array(const json& doc, const char* key, std::vector<std::string>& problems,
                   std::initializer_list<const char*> strings) {
  if (!doc.contains(key) || !doc[key].is_array()) {
    problems.push_back(std::string(key) + ": missing or not an array");
    return;
  }
  for (std::size_t i = 0; i < doc[key].size(); ++i)
    require_keys(doc[key][i], std::string(key) + "[" + std::to_string(i) + "]", strings, problems);
}

}  // namespace

std::vector<std::string> slack_violations(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {"body: not a JSON object"};
  SlackCheck check;
  if (!doc.contains("text") || !doc["text"].is_string() || doc["text"].get<std::string>().empty())
    check.fail("text", "missing: mobile notifications would be empty");
  else if (chars(doc["text"].get<std::string>()) > 40000)
    check.fail("text", "longer than 40,000 characters");
  if (doc.contains("blocks")) {
    const json& blocks = doc["blocks"];
    if (!blocks.is_array()) {
      check.fail("blocks", "not an array");
    } else {
      if (blocks.size() > 50) check.fail("blocks", std::to_string(blocks.size()) + " blocks > 50");
      for (std::size_t i = 0; i < blocks.size(); ++i) check.block(blocks[i], "blocks[" + std::to_string(i) + "]");
      if (check.total > 13000) check.fail("blocks", std::to_string(check.total) + " characters of text > 13,000");
    }
  }
  return check.problems;
}

std::vector<std::string> webhook_json_violations(const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return {"body: not a JSON object"};
  std::vector<std::string> problems;
  if (!doc.contains("version") || !doc["version"].is_number_integer() || doc["version"] != 1)
    problems.push_back("version: must be the integer 1");
  for (const char* k : kSchemaStrings)
    if (!doc.contains(k) || !doc[k].is_string()) problems.push_back(std::string(k) + ": missing or not a string");
  if (problems.empty()) {
    std::string kind = doc["kind"];
    if (kind != "triage" && kind != "resolution" && kind != "unmatched") problems.push_back("kind: " + kind);
    std::string sev = doc["severity"];
    if (sev != "critical" && sev != "warning" && sev != "info" && sev != "ok") problems.push_back("severity: " + sev);
  }
  if (!doc.contains("truncated_alerts") || !doc["truncated_alerts"].is_number_integer())
    problems.push_back("truncated_alerts: missing or not an integer");
  require_array(doc, "alerts", problems, {"name", "status", "fingerprint", "summary", "starts_at", "rule"});
  require_array(doc, "findings", problems, {"severity", "code", "title", "detail"});
  require_array(doc, "steps", problems, {"id", "kind", "target", "status", "summary", "output"});
  require_array(doc, "suggestions", problems, {"command", "why", "risk"});
  require_array(doc, "links", problems, {"title", "url"});
  if (problems.empty()) {
    for (const json& a : doc["alerts"])
      if (!a.contains("labels") || !a["labels"].is_object()) problems.push_back("alerts[].labels: not an object");
    for (const json& f : doc["findings"])
      if (!f.contains("evidence") || !f["evidence"].is_array()) problems.push_back("findings[].evidence: not an array");
    for (const json& s : doc["steps"])
      if (!s.contains("duration_ms") || !s["duration_ms"].is_number_integer())
        problems.push_back("steps[].duration_ms: not an integer");
  }
  return problems;
}

std::string SinkRequest::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (iequal(k, name)) return v;
  return "";
}

HttpSink::HttpSink() : server_(std::make_unique<httplib::Server>()) {
  // A client that gives up closes the socket the sink then writes to; the
  // Debian build of httplib sends without MSG_NOSIGNAL.
  std::signal(SIGPIPE, SIG_IGN);
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(16 << 20);
  server_->set_read_timeout(5, 0);
  auto handle = [this](const httplib::Request& req, httplib::Response& res) {
    SinkRequest r{req.method, req.path, {}, req.body, std::chrono::steady_clock::now()};
    for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
    std::vector<std::string> problems;
    std::string refusal;
    if (req.path.starts_with("/slack")) {
      problems = slack_violations(req.body);
      refusal = "invalid_blocks";
    } else if (req.path.starts_with("/webhook-json")) {
      problems = webhook_json_violations(req.body);
      refusal = "invalid_payload";
    }
    SinkResponse answer;
    {
      std::lock_guard lock(mu_);
      requests_.push_back(std::move(r));
      for (auto& p : problems) violations_.push_back(req.path + ": " + p);
    }
    if (problems.empty()) {
      answer = next_response(req.path);
    } else {
      answer.status = 400;
      answer.body = refusal;
    }
    cv_.notify_all();
    if (answer.delay.count() > 0) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, answer.delay, [this] { return stopping_; });
    }
    res.status = answer.status;
    for (const auto& [k, v] : answer.headers) res.set_header(k, v);
    res.set_content(answer.body, answer.content_type.c_str());
  };
  server_->Post(".*", handle);
  server_->Put(".*", handle);
  server_->Get(".*", handle);

  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("HttpSink: cannot bind 127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!server_->is_running() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

HttpSink::~HttpSink() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpSink::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpSink::script(const std::string& path, std::vector<SinkResponse> sequence, SinkResponse otherwise) {
  std::lock_guard lock(mu_);
  scripts_[path] = Script{std::deque<SinkResponse>(sequence.begin(), sequence.end()), std::move(otherwise)};
}

SinkResponse HttpSink::next_response(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = scripts_.find(path);
  if (it == scripts_.end()) return SinkResponse{};
  if (it->second.sequence.empty()) return it->second.otherwise;
  SinkResponse r = std::move(it->second.sequence.front());
  it->second.sequence.pop_front();
  return r;
}

std::vector<SinkRequest> HttpSink::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<SinkRequest> HttpSink::requests(const std::string& path) const {
  std::lock_guard lock(mu_);
  std::vector<SinkRequest> out;
  for (const auto& r : requests_)
    if (r.path == path) out.push_back(r);
  return out;
}

bool HttpSink::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

std::vector<std::string> HttpSink::violations() const {
  std::lock_guard lock(mu_);
  return violations_;
}

}  // namespace rr::test
