#include "net/http.h"

#include "net/deadline_watch.h"
#include "net/resolve.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace rr {

std::string Url::origin() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

Result<Url> parse_url(const std::string& text) {
  Url url;
  auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return Error{"url", "missing scheme (http:// or https://)"};
  url.scheme = text.substr(0, scheme_end);
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https") return Error{"url", "scheme must be http or https"};
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7F) return Error{"url", "contains whitespace or control characters"};
  auto rest = text.substr(scheme_end + 3);
  auto path_start = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, path_start);
  url.path = path_start == std::string::npos ? "/" : rest.substr(path_start);
  if (!url.path.empty() && url.path[0] != '/') url.path = "/" + url.path;
  if (auto hash = url.path.find('#'); hash != std::string::npos) url.path.resize(hash);
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    url.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return Error{"url", "unterminated IPv6 address"};
    url.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Error{"url", "junk after IPv6 address"};
      port_text = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) return Error{"url", "missing host"};
  if (port_text.empty()) {
    url.port = url.scheme == "https" ? 443 : 80;
  } else {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit))
      return Error{"url", "invalid port"};
    url.port = std::stoi(port_text);
    if (url.port < 1 || url.port > 65535) return Error{"url", "port out of range"};
  }
  return url;
}

std::optional<std::string> HttpResponse::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return v;
  }
  return std::nullopt;
}

namespace {

void set_timeout(httplib::Client& client, std::chrono::milliseconds left) {
  auto sec = static_cast<time_t>(left.count() / 1000);
  auto usec = static_cast<time_t>((left.count() % 1000) * 1000);
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
}

std::string error_text(httplib::Error err) {
  switch (err) {
    case httplib::Error::Connection: return "connection refused or unreachable";
    case httplib::Error::Read: return "timed out or failed reading the response";
    case httplib::Error::Write: return "failed sending the request";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLServerVerification: return "TLS certificate not trusted";
    case httplib::Error::Canceled: return "cancelled";
    default: return httplib::to_string(err);
  }
}

// One try at `ip` ("" = let cpp-httplib resolve an IP literal itself).
// Returns the transport error, Success when a response arrived.
httplib::Error send_once(const HttpRequest& request, const Url& url, const std::string& ip, Deadline deadline,
                         HttpResponse& out) {
  out = HttpResponse{};
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  httplib::Client client(url.scheme + "://" + host + ":" + std::to_string(url.port));
  if (!ip.empty()) client.set_hostname_addr_map({{url.host, ip}});
  set_timeout(client, deadline.remaining());
  client.set_keep_alive(false);
  client.set_follow_location(false);
  client.set_decompress(false);
  if (url.scheme == "https") client.enable_server_certificate_verification(true);
  if (!url.userinfo.empty()) {
    auto colon = url.userinfo.find(':');
    client.set_basic_auth(url.userinfo.substr(0, colon),
                          colon == std::string::npos ? "" : url.userinfo.substr(colon + 1));
  }

  httplib::Request req;
  req.method = request.method;
  req.path = url.path;
  // No compression: NATS would compress its replies, and a capped body
  // must be readable as it is.
  req.headers.emplace("Accept-Encoding", "identity");
  req.headers.emplace("User-Agent", "runbook-responder");
  for (const auto& [k, v] : request.headers) req.headers.emplace(k, v);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body = request.body;
    req.headers.emplace("Content-Type", request.content_type);
  }
  // The receiver enforces both the size cap and the overall deadline, which
  // socket timeouts alone do not: a server trickling bytes resets them.
  req.content_receiver = [&](const char* data, size_t len, uint64_t, uint64_t) {
    if (deadline.expired()) {
      out.error = "timed out while reading the response";
      return false;
    }
    std::size_t room = request.max_response_bytes - std::min(request.max_response_bytes, out.body.size());
    out.body.append(data, std::min(room, len));
    if (len > room) {
      out.truncated = true;
      return false;
    }
    return true;
  };

  httplib::Response res;
  httplib::Error err = httplib::Error::Success;
  bool ok = false;
  {
    // Socket timeouts restart with each byte; this ends a request at its
    // deadline whatever the server trickles (headers included).
    auto watch = DeadlineWatch::watch(deadline, [&client] { client.stop(); });
    ok = client.send(req, res, err);
  }
  if (!ok && !out.truncated) {
    out.status = 0;
    if (out.error.empty() && deadline.expired()) out.error = "timed out (deadline reached)";
    if (out.error.empty()) out.error = error_text(err);
    return err == httplib::Error::Success ? httplib::Error::Unknown : err;
  }
  out.status = res.status;
  for (const auto& [k, v] : res.headers) out.headers.emplace_back(k, v);
  return httplib::Error::Success;
}

}  // namespace

HttpResponse http_request(const HttpRequest& request, Deadline deadline) {
  HttpResponse out;
  auto url = parse_url(request.url);
  if (!url) {
    out.error = url.error().message;
    return out;
  }
  if (deadline.expired()) {
    out.error = "deadline passed before the request";
    return out;
  }
  if (net::is_ip_literal(url->host)) {
    send_once(request, *url, "", deadline, out);
    return out;
  }
  // cpp-httplib would resolve the name itself, with no bound on the time. It
  // is handed each address in turn instead (the next one only when the
  // connection could not be made), and keeps the name for Host and TLS (SNI
  // and the certificate check).
  auto addresses = net::resolve(url->host, url->port, deadline, out.error);
  for (const auto& address : addresses) {
    if (send_once(request, *url, address.ip, deadline, out) != httplib::Error::Connection) break;
    if (deadline.expired()) break;
  }
  return out;
}

}  // namespace rr
