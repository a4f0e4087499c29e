#include "support/http_sink.h"

#include "support/services/services.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rr::test {

namespace {

bool iequal(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

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
    for (const auto& [k, v] : req.params) r.query[k] = v;
    const ServiceModel* service = service_for(req.path);
    std::vector<std::string> problems = service ? service->check(r) : std::vector<std::string>{};
    std::size_t seq = 0;
    {
      std::lock_guard lock(mu_);
      for (const auto& seen : requests_)
        if (service && seen.path.starts_with(service->prefix)) ++seq;
      requests_.push_back(r);
      for (auto& p : problems) violations_.push_back(req.path + ": " + p);
    }
    SinkResponse answer;
    if (!problems.empty()) {
      // As the real service would: refused, with its own error text.
      answer.status = service->refusal_status;
      answer.body = std::string(service->refusal);
    } else if (auto scripted = next_response(req.path)) {
      answer = std::move(*scripted);
    } else if (service && service->answer) {
      answer = service->answer(r, seq);
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
  server_->Patch(".*", handle);
  server_->Delete(".*", handle);
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

std::optional<SinkResponse> HttpSink::next_response(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = scripts_.find(path);
  if (it == scripts_.end()) return std::nullopt;
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
