#include "steps/nats/nats_steps.h"

#include "steps/nats/connection_pool.h"
#include "steps/nats/consumer_info.h"
#include "steps/nats/consumer_list.h"
#include "steps/nats/consumer_report.h"
#include "steps/nats/health.h"
#include "steps/nats/jetstream_report.h"
#include "steps/nats/server_list.h"
#include "steps/nats/stream_info.h"
#include "steps/nats/stream_list.h"
#include "steps/nats/leafnodes.h"
#include "steps/nats/sys_jetstream_report.h"
#include "steps/nats/sys_server_list.h"

namespace rr::nats {

void add_nats_steps(StepRegistry& registry) {
  // One pool for every kind that speaks the NATS protocol, so that a stream
  // read and a consumer read of one triage (or of fifty) share a connection.
  auto pool = std::make_shared<ConnectionPool>();
  registry.add(std::make_unique<HealthStep>());
  registry.add(std::make_unique<ServerListStep>());
  registry.add(std::make_unique<JetStreamReportStep>());
  registry.add(std::make_unique<StreamListStep>(pool));
  registry.add(std::make_unique<StreamInfoStep>(pool));
  registry.add(std::make_unique<ConsumerInfoStep>(pool));
  registry.add(std::make_unique<SysServerListStep>(pool));
  registry.add(std::make_unique<SysJetStreamReportStep>(pool));
  registry.add(std::make_unique<LeafnodesStep>());
  registry.add(std::make_unique<ConsumerListStep>(pool));
  registry.add(std::make_unique<ConsumerReportStep>(pool));
}

}  // namespace rr::nats
