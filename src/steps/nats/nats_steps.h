#pragma once
// The NATS step kinds, each documented (name, params, facts) in its header:
//   nats.health            health.h
//   nats.server_list       server_list.h
//   nats.jetstream_report  jetstream_report.h
//   nats.stream_list       stream_list.h
//   nats.stream_info       stream_info.h
//   nats.consumer_info     consumer_info.h
//   nats.sys_server_list   sys_server_list.h      ($SYS, system account)
//   nats.sys_jetstream_report sys_jetstream_report.h ($SYS, system account)
//   nats.leafnodes         leafnodes.h
//   nats.consumer_list     consumer_list.h
//   nats.consumer_report   consumer_report.h
// (nats.reachability lives in steps/tcp/reachability.h.)

#include "steps/step.h"

namespace rr::nats {

void add_nats_steps(StepRegistry& registry);

}  // namespace rr::nats
