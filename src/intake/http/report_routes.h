#pragma once
// GET /reports (recent reports, newest first) and GET /reports/ID (one
// report as a page), each as JSON with ?format=json. Read from the state
// store; behind the webhook's credentials or the read token
// (authorized_to_read). IDs are checked before any lookup.

#include "config/config.h"
#include "state/store.h"

namespace httplib {
class Server;
}

namespace rr {

// `store` must outlive `server`'s serving; null answers 404 on both paths.
void add_report_routes(httplib::Server& server, const AuthConfig& auth, StateStore* store);

// How many reports GET /reports lists.
inline constexpr std::size_t kReportsListed = 200;

}  // namespace rr
