#include <catch2/catch.hpp>

#include "steps/nats/js_facts.h"
#include "steps/step.h"

namespace rr {
namespace {

class FakeKind : public StepKind {
 public:
  explicit FakeKind(std::string summary) : summary_(std::move(summary)) {}
  std::string_view name() const override { return "nats.health"; }
  std::map<std::string, StepCatalog::Param> params() const override { return {}; }
  StepResult run(const StepInput&) const override {
    StepResult r;
    r.summary = summary_;
    return r;
  }

 private:
  std::string summary_;
};

}  // namespace

TEST_CASE("the default registry ships the NATS step kinds with their parameters") {
  StepRegistry registry = default_step_registry();
  StepCatalog catalog = registry.catalog();
  for (const char* kind : {"nats.health", "nats.server_list", "nats.jetstream_report", "nats.stream_list",
                           "nats.stream_info", "nats.consumer_info", "nats.consumer_list", "nats.consumer_report",
                           "nats.sys_server_list", "nats.sys_jetstream_report", "nats.leafnodes",
                           "nats.reachability"}) {
    INFO(kind);
    REQUIRE(registry.find(kind) != nullptr);
    CHECK(registry.find(kind)->name() == kind);
    CHECK(catalog.kinds.count(kind) == 1);
  }
  CHECK(registry.find("nats.nope") == nullptr);
  CHECK(catalog.kinds["nats.health"].empty());
  auto info = catalog.kinds["nats.stream_info"];
  REQUIRE(info.count("stream") == 1);
  CHECK(info["stream"].type == ValueType::Name);
  CHECK(info["stream"].required);
  auto consumer = catalog.kinds["nats.consumer_info"];
  CHECK(consumer.size() == 3);
  CHECK(consumer["consumer"].required);
  CHECK(consumer["again"].type == ValueType::Duration);
  CHECK_FALSE(consumer["again"].required);
  auto leafnodes = catalog.kinds["nats.leafnodes"];
  CHECK(leafnodes.size() == 1);
  CHECK(leafnodes["expect"].type == ValueType::Integer);
  CHECK_FALSE(leafnodes["expect"].required);
}

TEST_CASE("adding a kind under an existing name replaces it") {
  StepRegistry registry = default_step_registry();
  const std::size_t before = registry.catalog().kinds.size();
  registry.add(std::make_unique<FakeKind>("fake"));
  registry.add(nullptr);
  // Replaced, not added: the number of kinds is unchanged.
  CHECK(registry.catalog().kinds.size() == before);
  CHECK(registry.find("nats.health")->run(StepInput{"h", {}, nullptr, Deadline::after(std::chrono::seconds(1))}).summary ==
        "fake");
}

TEST_CASE("step status names") {
  CHECK(step_status_name(StepStatus::Ok) == "ok");
  CHECK(step_status_name(StepStatus::Failed) == "failed");
  CHECK(step_status_name(StepStatus::Timeout) == "timeout");
  CHECK(step_status_name(StepStatus::Skipped) == "skipped");
}

TEST_CASE("JetStream enums print by name, whatever their numbers") {
  using namespace nats;
  CHECK(ack_policy_name(js_AckExplicit) == "explicit");
  CHECK(ack_policy_name(js_AckNone) == "none");
  CHECK(ack_policy_name(js_AckAll) == "all");
  CHECK(deliver_policy_name(js_DeliverAll) == "all");
  CHECK(deliver_policy_name(js_DeliverByStartSequence) == "by_start_sequence");
  CHECK(deliver_policy_name(js_DeliverLastPerSubject) == "last_per_subject");
  CHECK(deliver_policy_name(static_cast<jsDeliverPolicy>(99)) == "unknown");
  CHECK(discard_name(js_DiscardOld) == "old");
  CHECK(discard_name(js_DiscardNew) == "new");
  CHECK(retention_name(js_WorkQueuePolicy) == "workqueue");
  CHECK(storage_name(js_MemoryStorage) == "memory");
  CHECK(replay_policy_name(js_ReplayOriginal) == "original");
  CHECK(time_from_nanos(0).empty());
  CHECK(time_from_nanos(1'000'000'000) == "1970-01-01T00:00:01.000Z");
  CHECK(replication_facts(nullptr).empty());
}

}  // namespace rr
