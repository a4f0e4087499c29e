#pragma once
// What the $SYS step kinds (sys_server_list.h, sys_jetstream_report.h)
// share: the system connection for one run, and turning a gather that heard
// nothing usable into a clear result.

#include <functional>
#include <optional>
#include <string>

#include "steps/nats/sys_request.h"
#include "steps/nats/sys_servers.h"
#include "steps/step.h"

namespace rr::nats {

// Opens the cluster's system-account connection. Returns nullopt when there
// is nothing more to do, with `result` filled:
//  - no system identity configured: Skipped, summary "no system-account
//    user configured for cluster X: add system_user/system_password_file";
//  - a server refused the credentials: Failed, "system account login
//    failed: ...", facts {"cluster", "reachable": false, "system": {...,
//    "problem": "auth_failed", "error"}};
//  - no server answered: Ok (a fact for the judges), every configured
//    server reachable false with its connect error, in the envelope of
//    sys_envelope().
// `pool` may be null: a connection of the run's own.
std::optional<SysConnection> open_sys_for_step(const ClusterConfig& cluster, const StepInput& input,
                                               StepResult& result, ConnectionPool* pool);

// False, with `result` Failed (no responders, not permitted, client error)
// or Timeout (no reply) and facts {"cluster", "reachable": false, "system":
// {..., "problem", "error"}}, when `gather` has no reply at all.
bool sys_gather_usable(const ClusterConfig& cluster, const SysConnection& conn, const SysGather& gather,
                       StepResult& result);

// Runs `gathers` (each one ping) at the same time on `conn`, results in order.
std::vector<SysGather> sys_ping_all(const SysConnection& conn,
                                    const std::vector<std::pair<std::string, std::string>>& what_and_body,
                                    Deadline deadline);

// A copy of `facts` whose servers without a monitor URL are labelled by
// client URL or "name (discovered)" in "monitor", for the monitor steps'
// summary and output functions (which name servers by monitor).
nlohmann::json labelled_for_output(nlohmann::json facts);

}  // namespace rr::nats
