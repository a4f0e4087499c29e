#include "intake/http/report_routes.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/text.h"
#include "intake/http/auth.h"
#include "report/page/report_page.h"
#include "report/report_json.h"

namespace rr {

namespace {

bool valid_id(const std::string& id) {
  return !id.empty() && id.size() <= 64 &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool wants_json(const httplib::Request& req) { return req.has_param("format") && req.get_param_value("format") == "json"; }

// Reports are private and change: never cached by a proxy or the browser.
void send(httplib::Response& res, int status, const std::string& body, const char* type) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_content(body, type);
}

bool allowed(const AuthConfig& auth, const httplib::Request& req, httplib::Response& res) {
  if (authorized_to_read(auth, req.get_header_value("Authorization"))) return true;
  for (const auto& challenge : auth_challenges(auth)) res.headers.emplace("WWW-Authenticate", challenge);
  send(res, 401, "unauthorized\n", "text/plain");
  return false;
}

void store_failed(httplib::Response& res, const Error& e) {
  spdlog::error("reports: the state store failed: {}", e.message);
  send(res, 503, "the report store is unavailable\n", "text/plain");
}

}  // namespace

void add_report_routes(httplib::Server& server, const AuthConfig& auth, StateStore* store) {
  server.Get("/reports", [&auth, store](const httplib::Request& req, httplib::Response& res) {
    if (!allowed(auth, req, res)) return;
    if (!store) return send(res, 404, "not found\n", "text/plain");
    auto recent = store->recent_reports(kReportsListed);
    if (!recent) return store_failed(res, recent.error());
    if (wants_json(req)) {
      nlohmann::json list = nlohmann::json::array();
      for (const StoredReport& r : *recent)
        list.push_back({{"id", r.id}, {"created", format_rfc3339(r.created)}, {"group_key", r.group_key},
                        {"kind", r.kind}, {"severity", r.severity}, {"title", r.title}, {"verdict", r.verdict}});
      return send(res, 200, list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
    }
    std::vector<ReportListing> listings;
    for (const StoredReport& r : *recent)
      listings.push_back(ReportListing{r.id, r.title, r.verdict, r.severity, r.kind, r.created});
    send(res, 200, render_report_index(listings), "text/html; charset=utf-8");
  });

  server.Get(R"(/reports/([^/]+))", [&auth, store](const httplib::Request& req, httplib::Response& res) {
    if (!allowed(auth, req, res)) return;
    const std::string id = req.matches[1];
    if (!store || !valid_id(id)) return send(res, 404, "no such report\n", "text/plain");
    auto found = store->report(id);
    if (!found) return store_failed(res, found.error());
    if (!*found) return send(res, 404, "no such report (it may have been pruned)\n", "text/plain");
    if (wants_json(req)) return send(res, 200, (*found)->body, "application/json");
    auto report = report_from_json_text((*found)->body);
    if (!report) {
      spdlog::error("reports: report {} cannot be read back: {}", id, report.error().to_string());
      return send(res, 500, "the report cannot be shown\n", "text/plain");
    }
    send(res, 200, render_report_page(*report), "text/html; charset=utf-8");
  });
}

}  // namespace rr
