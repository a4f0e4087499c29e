#pragma once
// What the JetStream API step kinds share: opening the connection for one
// run and recording how that went as facts.

#include <optional>
#include <string>

#include "steps/nats/connection.h"
#include "steps/step.h"

namespace rr::nats {

// Opens the cluster's application-account connection and records
//   {"cluster": "cim", "reachable": bool, "connected_url": "...",
//    "connection_reused": false, "connect_errors": [{"server", "error"}],
//    "error": "", "js_error_code": 0}
// in result.facts. Returns nullopt when there is nothing more to do:
// no server URLs configured (status Failed), or none answered (status Ok,
// summary "no server answered": that is a fact for the judges).
// `pool` may be null: a connection of the run's own.
std::optional<JsConnection> open_js_for_step(const ClusterConfig& cluster, const StepInput& input,
                                             StepResult& result, ConnectionPool* pool);

// Records a failed API call: "error", "js_error_code", "status".
void record_js_error(const NatsError& error, StepResult& result);


// Human lines about the connection: where it went, which servers failed.
std::string connection_output(const nlohmann::json& facts);

// "n1 leader, n2 current, n3 offline (lag 103)".
std::string replication_text(const nlohmann::json& replication);

}  // namespace rr::nats
