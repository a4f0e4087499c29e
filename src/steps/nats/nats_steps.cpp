#include "steps/nats/nats_steps.h"

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
  registry.add(std::make_unique<HealthStep>());
  registry.add(std::make_unique<ServerListStep>());
  registry.add(std::make_unique<JetStreamReportStep>());
  registry.add(std::make_unique<StreamListStep>());
  registry.add(std::make_unique<StreamInfoStep>());
  registry.add(std::make_unique<ConsumerInfoStep>());
  registry.add(std::make_unique<SysServerListStep>());
  registry.add(std::make_unique<SysJetStreamReportStep>());
  registry.add(std::make_unique<LeafnodesStep>());
  registry.add(std::make_unique<ConsumerListStep>());
  registry.add(std::make_unique<ConsumerReportStep>());
}

}  // namespace rr::nats
