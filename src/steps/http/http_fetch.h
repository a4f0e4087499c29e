#pragma once
// What both HTTP step kinds do around their own parsing: check the `url`
// parameter, GET it under the step's deadline with a size cap, and record
// the common facts. Steps here need no cluster: the URL is the target.
//
// Common facts (every http.* step):
//   {"url": "http://127.0.0.1:3100/health",  // scheme://host:port/path only:
//                                            // never userinfo or the query
//    "status": 200,        // 0: no answer
//    "reachable": true,    // an HTTP answer arrived (any status)
//    "truncated": false,   // the body was larger than the cap
//    "error": ""}          // "" or why there is no usable answer: the
//                          // transport error, "HTTP 404", "response larger
//                          // than 1048576 bytes", "invalid JSON: ..."

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "net/http.h"
#include "steps/step.h"

namespace rr::http {

// scheme://host:port/path of `url`: what facts, summaries and logs show.
std::string display_url(const Url& url);

struct Fetch {
  HttpResponse response;
  nlohmann::json facts;  // the common facts above
};

// One GET, never throws; returns by `deadline`.
Fetch fetch(const Url& url, const std::string& raw_url, std::size_t max_bytes, Deadline deadline);

// Runs body(url, fetch-ready url text, result) with id, kind, target
// ("GET <display url>") and status Ok set, after checking the `url`
// parameter (Failed when missing or invalid); an exception becomes a Failed
// result; sets duration afterwards.
StepResult run_http_step(std::string_view kind, const StepInput& input,
                         const std::function<void(const Url&, const std::string&, StepResult&)>& body);

}  // namespace rr::http
