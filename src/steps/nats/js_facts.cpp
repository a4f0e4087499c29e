#include "steps/nats/js_facts.h"

#include "common/time.h"
#include "steps/nats/json_read.h"

namespace rr::nats {
namespace {

std::string text(const char* s) { return s == nullptr ? std::string() : one_line(s); }

nlohmann::json sequence_facts(const jsSequenceInfo& s) {
  return {{"consumer_seq", s.Consumer}, {"stream_seq", s.Stream}, {"last_active", time_from_nanos(s.Last)}};
}

}  // namespace

std::string_view retention_name(jsRetentionPolicy p) {
  switch (p) {
    case js_LimitsPolicy: return "limits";
    case js_InterestPolicy: return "interest";
    case js_WorkQueuePolicy: return "workqueue";
  }
  return "unknown";
}

std::string_view discard_name(jsDiscardPolicy p) {
  switch (p) {
    case js_DiscardOld: return "old";
    case js_DiscardNew: return "new";
  }
  return "unknown";
}

std::string_view storage_name(jsStorageType t) {
  switch (t) {
    case js_FileStorage: return "file";
    case js_MemoryStorage: return "memory";
  }
  return "unknown";
}

std::string_view deliver_policy_name(jsDeliverPolicy p) {
  switch (p) {
    case js_DeliverAll: return "all";
    case js_DeliverLast: return "last";
    case js_DeliverNew: return "new";
    case js_DeliverByStartSequence: return "by_start_sequence";
    case js_DeliverByStartTime: return "by_start_time";
    case js_DeliverLastPerSubject: return "last_per_subject";
  }
  return "unknown";
}

std::string_view ack_policy_name(jsAckPolicy p) {
  switch (p) {
    case js_AckExplicit: return "explicit";
    case js_AckNone: return "none";
    case js_AckAll: return "all";
  }
  return "unknown";
}

std::string_view replay_policy_name(jsReplayPolicy p) {
  switch (p) {
    case js_ReplayInstant: return "instant";
    case js_ReplayOriginal: return "original";
  }
  return "unknown";
}

std::string time_from_nanos(std::int64_t ns) {
  if (ns <= 0) return "";
  return format_rfc3339(TimePoint(Nanos(ns)));
}

nlohmann::json replication_facts(const jsClusterInfo* info) {
  if (info == nullptr) return nlohmann::json::object();
  nlohmann::json replicas = nlohmann::json::array();
  for (int i = 0; i < info->ReplicasLen && info->Replicas != nullptr; ++i) {
    const jsPeerInfo* p = info->Replicas[i];
    if (p == nullptr) continue;
    replicas.push_back({{"name", text(p->Name)},
                        {"current", p->Current},
                        {"offline", p->Offline},
                        {"active_ns", p->Active},
                        {"lag", p->Lag}});
  }
  return {{"cluster", text(info->Name)}, {"leader", text(info->Leader)}, {"replicas", replicas}};
}

nlohmann::json stream_config_facts(const jsStreamConfig* c) {
  if (c == nullptr) return nlohmann::json::object();
  nlohmann::json subjects = nlohmann::json::array();
  for (int i = 0; i < c->SubjectsLen && c->Subjects != nullptr; ++i) subjects.push_back(text(c->Subjects[i]));
  return {{"name", text(c->Name)},
          {"description", text(c->Description)},
          {"subjects", subjects},
          {"retention", retention_name(c->Retention)},
          {"storage", storage_name(c->Storage)},
          {"discard", discard_name(c->Discard)},
          {"num_replicas", c->Replicas},
          {"max_msgs", c->MaxMsgs},
          {"max_bytes", c->MaxBytes},
          {"max_age_ns", c->MaxAge},
          {"max_msgs_per_subject", c->MaxMsgsPerSubject},
          {"max_msg_size", c->MaxMsgSize},
          {"max_consumers", c->MaxConsumers},
          {"duplicate_window_ns", c->Duplicates},
          {"sealed", c->Sealed},
          {"deny_delete", c->DenyDelete},
          {"deny_purge", c->DenyPurge}};
}

nlohmann::json stream_state_facts(const jsStreamState& s) {
  return {{"messages", s.Msgs},
          {"bytes", s.Bytes},
          {"first_seq", s.FirstSeq},
          {"first_ts", time_from_nanos(s.FirstTime)},
          {"last_seq", s.LastSeq},
          {"last_ts", time_from_nanos(s.LastTime)},
          {"consumer_count", s.Consumers},
          {"num_deleted", s.NumDeleted},
          {"num_subjects", s.NumSubjects}};
}

nlohmann::json consumer_facts(const jsConsumerInfo& info) {
  nlohmann::json facts = {{"name", text(info.Name)},
                          {"stream", text(info.Stream)},
                          {"created", time_from_nanos(info.Created)},
                          {"delivered", sequence_facts(info.Delivered)},
                          {"ack_floor", sequence_facts(info.AckFloor)},
                          {"num_pending", info.NumPending},
                          {"num_ack_pending", info.NumAckPending},
                          {"num_redelivered", info.NumRedelivered},
                          {"num_waiting", info.NumWaiting},
                          {"push_bound", info.PushBound},
                          {"replication", replication_facts(info.Cluster)}};
  if (const jsConsumerConfig* c = info.Config) {
    facts["config"] = {{"durable_name", text(c->Durable)},
                       {"description", text(c->Description)},
                       {"deliver_policy", deliver_policy_name(c->DeliverPolicy)},
                       {"ack_policy", ack_policy_name(c->AckPolicy)},
                       {"replay_policy", replay_policy_name(c->ReplayPolicy)},
                       {"ack_wait_ns", c->AckWait},
                       {"max_deliver", c->MaxDeliver},
                       {"max_ack_pending", c->MaxAckPending},
                       {"max_waiting", c->MaxWaiting},
                       {"filter_subject", text(c->FilterSubject)},
                       {"deliver_subject", text(c->DeliverSubject)},
                       {"num_replicas", c->Replicas}};
  } else {
    facts["config"] = nlohmann::json::object();
  }
  return facts;
}

}  // namespace rr::nats
