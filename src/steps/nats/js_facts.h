#pragma once
// libnats' JetStream structures turned into facts. Enums are printed by
// name: their numeric values do not follow the JSON (explicit ack is 0,
// deliver-all is 0). Strings are made safe with one_line().

#include <cstdint>
#include <string>
#include <string_view>

#include <nats/nats.h>
#include <nlohmann/json.hpp>

namespace rr::nats {

std::string_view retention_name(jsRetentionPolicy p);   // "limits", "interest", "workqueue"
std::string_view discard_name(jsDiscardPolicy p);       // "old", "new"
std::string_view storage_name(jsStorageType t);         // "file", "memory"
std::string_view deliver_policy_name(jsDeliverPolicy p);  // "all", "last", "new", "by_start_sequence", ...
std::string_view ack_policy_name(jsAckPolicy p);        // "explicit", "none", "all"
std::string_view replay_policy_name(jsReplayPolicy p);  // "instant", "original"

// RFC 3339 for nanoseconds since the epoch; "" for 0 (never).
std::string time_from_nanos(std::int64_t ns);

// {"cluster": "c1", "leader": "n1",        // leader "" when none
//  "replicas": [{"name": "n3", "current": false, "offline": true,
//                "active_ns": 9955587333, "lag": 103}]}   // the leader is not listed
// A null `info` (single-server JetStream) gives an empty object.
nlohmann::json replication_facts(const jsClusterInfo* info);

// {"name", "description", "subjects": [...], "retention", "storage", "discard",
//  "num_replicas", "max_msgs", "max_bytes", "max_age_ns", "max_msgs_per_subject",
//  "max_msg_size", "max_consumers", "duplicate_window_ns", "sealed", "deny_delete",
//  "deny_purge"}; -1 means unlimited, max_age_ns 0 means forever.
nlohmann::json stream_config_facts(const jsStreamConfig* config);

// {"messages", "bytes", "first_seq", "first_ts", "last_seq", "last_ts",
//  "consumer_count", "num_deleted", "num_subjects"}
nlohmann::json stream_state_facts(const jsStreamState& state);

// {"name", "stream", "created",
//  "delivered": {"consumer_seq", "stream_seq", "last_active"},
//  "ack_floor": {"consumer_seq", "stream_seq", "last_active"},
//  "num_pending", "num_ack_pending", "num_redelivered", "num_waiting", "push_bound",
//  "config": {"durable_name", "description", "deliver_policy", "ack_policy",
//             "replay_policy", "ack_wait_ns", "max_deliver", "max_ack_pending",
//             "max_waiting", "filter_subject", "deliver_subject", "num_replicas"},
//  "replication": {...}}   // last_active "" when never
nlohmann::json consumer_facts(const jsConsumerInfo& info);

}  // namespace rr::nats
