#include "support/jetstream_seed.h"

#include <nats/nats.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <thread>
#include <chrono>

namespace rr::test {
namespace {

struct OptionsDeleter { void operator()(natsOptions* o) const { natsOptions_Destroy(o); } };
struct ConnectionDeleter { void operator()(natsConnection* c) const { natsConnection_Destroy(c); } };
struct ContextDeleter { void operator()(jsCtx* js) const { jsCtx_Destroy(js); } };
struct StreamInfoDeleter { void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); } };
struct ConsumerInfoDeleter { void operator()(jsConsumerInfo* ci) const { jsConsumerInfo_Destroy(ci); } };
struct SubscriptionDeleter { void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); } };

// The messages of one fetch, destroyed (never acknowledged) on scope exit.
struct MsgList {
  natsMsgList list{};
  ~MsgList() { natsMsgList_Destroy(&list); }
};

void check(natsStatus s, const std::string& what, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  if (s == NATS_OK) return;
  std::string text = what + ": " + natsStatus_GetText(s);
  if (jerr) text += " (JetStream error " + std::to_string(jerr) + ")";
  const char* last = nats_GetLastError(nullptr);
  if (last && *last) text += ": " + std::string(last);
  throw std::runtime_error(text);
}

// A connection and a JetStream context, both released on scope exit.
struct Session {
  std::unique_ptr<natsConnection, ConnectionDeleter> conn;
  std::unique_ptr<jsCtx, ContextDeleter> js;

  explicit Session(const JetStreamTarget& t) {
    natsOptions* raw_opts = nullptr;
    check(natsOptions_Create(&raw_opts), "options");
    std::unique_ptr<natsOptions, OptionsDeleter> opts(raw_opts);
    std::vector<const char*> urls;
    for (const auto& s : t.servers) urls.push_back(s.c_str());
    check(natsOptions_SetServers(opts.get(), urls.data(), static_cast<int>(urls.size())), "servers");
    if (!t.user.empty()) check(natsOptions_SetUserInfo(opts.get(), t.user.c_str(), t.password.c_str()), "user");
    check(natsOptions_SetTimeout(opts.get(), 5000), "timeout");
    check(natsOptions_SetAllowReconnect(opts.get(), false), "reconnect");
    natsConnection* raw_conn = nullptr;
    check(natsConnection_Connect(&raw_conn, opts.get()), "connect");
    conn.reset(raw_conn);
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 10000;
    jsCtx* raw_js = nullptr;
    check(natsConnection_JetStream(&raw_js, conn.get(), &jo), "jetstream");
    js.reset(raw_js);
  }
};

}  // namespace

void create_stream(const JetStreamTarget& target, const std::string& stream, const std::string& subjects, int replicas,
                   long long max_bytes) {
  Session s(target);
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = stream.c_str();
  const char* subj[] = {subjects.c_str()};
  cfg.Subjects = subj;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = replicas;
  cfg.MaxBytes = max_bytes;
  if (max_bytes > 0) cfg.Discard = js_DiscardNew;
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  check(js_AddStream(&raw, s.js.get(), &cfg, nullptr, &jerr), "create stream " + stream, jerr);
  std::unique_ptr<jsStreamInfo, StreamInfoDeleter> info(raw);
  // Created is not yet ready: a replicated stream takes publishes once its
  // group has elected a leader (before that, "no responders").
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    jsStreamInfo* raw_now = nullptr;
    if (js_GetStreamInfo(&raw_now, s.js.get(), stream.c_str(), nullptr, nullptr) == NATS_OK) {
      std::unique_ptr<jsStreamInfo, StreamInfoDeleter> now(raw_now);
      if (now->Cluster == nullptr || (now->Cluster->Leader != nullptr && *now->Cluster->Leader != '\0')) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("stream " + stream + " has no leader 20 s after it was created");
}

void publish(const JetStreamTarget& target, const std::string& subject, int count, std::size_t size) {
  Session s(target);
  for (int i = 0; i < count; ++i) {
    std::string payload = "event " + std::to_string(i);
    payload.resize(std::max(size, payload.size()), '.');
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus st = NATS_OK;
    // A stream whose leader is moving (just created, a node restarted) has
    // no responder for a moment: wait for it, within bounds.
    for (int attempt = 0; attempt < 200; ++attempt) {
      jerr = static_cast<jsErrCode>(0);
      st = js_Publish(nullptr, s.js.get(), subject.c_str(), payload.data(), static_cast<int>(payload.size()), nullptr,
                      &jerr);
      if (st != NATS_NO_RESPONDERS) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    check(st, "publish to " + subject, jerr);
  }
}

void create_pull_consumer(const JetStreamTarget& target, const std::string& stream, const std::string& durable) {
  Session s(target);
  jsConsumerConfig cfg;
  jsConsumerConfig_Init(&cfg);
  cfg.Durable = durable.c_str();
  cfg.AckPolicy = js_AckExplicit;
  cfg.DeliverPolicy = js_DeliverAll;
  jsConsumerInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  check(js_AddConsumer(&raw, s.js.get(), stream.c_str(), &cfg, nullptr, &jerr),
        "create consumer " + stream + "/" + durable, jerr);
  std::unique_ptr<jsConsumerInfo, ConsumerInfoDeleter> info(raw);
}

PublishRefusal publish_until_refused(const JetStreamTarget& target, const std::string& subject, int max_count,
                                     std::size_t size) {
  Session s(target);
  PublishRefusal out;
  std::string payload(size, '.');
  for (; out.accepted < max_count; ++out.accepted) {
    jsErrCode jerr = static_cast<jsErrCode>(0);
    natsStatus st = js_Publish(nullptr, s.js.get(), subject.c_str(), payload.data(), static_cast<int>(payload.size()),
                               nullptr, &jerr);
    if (st == NATS_OK) continue;
    const char* last = nats_GetLastError(nullptr);
    out.error = last != nullptr && *last ? last : natsStatus_GetText(st);
    out.js_code = static_cast<int>(jerr);
    break;
  }
  return out;
}

int fetch(const JetStreamTarget& target, const std::string& stream, const std::string& durable,
          const std::string& subject, int count, bool ack) {
  Session s(target);
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = stream.c_str();
  so.Consumer = durable.c_str();
  natsSubscription* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  check(js_PullSubscribe(&raw, s.js.get(), subject.c_str(), durable.c_str(), nullptr, &so, &jerr),
        "bind to consumer " + stream + "/" + durable, jerr);
  std::unique_ptr<natsSubscription, SubscriptionDeleter> sub(raw);
  int got = 0;
  while (got < count) {
    MsgList msgs;
    natsStatus st = natsSubscription_Fetch(&msgs.list, sub.get(), count - got, 5000, &jerr);
    if (st == NATS_TIMEOUT) break;
    check(st, "fetch from " + stream + "/" + durable, jerr);
    got += msgs.list.Count;
    for (int i = 0; ack && i < msgs.list.Count; ++i)
      check(natsMsg_AckSync(msgs.list.Msgs[i], nullptr, &jerr), "ack on " + stream + "/" + durable, jerr);
  }
  return got;
}

StreamUsage stream_usage(const JetStreamTarget& target, const std::string& stream) {
  Session s(target);
  jsStreamInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  check(js_GetStreamInfo(&raw, s.js.get(), stream.c_str(), nullptr, &jerr), "stream info " + stream, jerr);
  std::unique_ptr<jsStreamInfo, StreamInfoDeleter> info(raw);
  return {info->State.Msgs, info->State.Bytes, info->State.FirstSeq, info->State.LastSeq};
}

void purge_stream(const JetStreamTarget& target, const std::string& stream, std::uint64_t keep) {
  Session s(target);
  jsOptions o;
  jsOptions_Init(&o);
  o.Stream.Purge.Keep = keep;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  check(js_PurgeStream(s.js.get(), stream.c_str(), &o, &jerr), "purge " + stream, jerr);
}

std::uint64_t ack_floor(const JetStreamTarget& target, const std::string& stream, const std::string& durable) {
  Session s(target);
  jsConsumerInfo* raw = nullptr;
  jsErrCode jerr = static_cast<jsErrCode>(0);
  check(js_GetConsumerInfo(&raw, s.js.get(), stream.c_str(), durable.c_str(), nullptr, &jerr),
        "consumer info " + stream + "/" + durable, jerr);
  std::unique_ptr<jsConsumerInfo, ConsumerInfoDeleter> info(raw);
  return info->AckFloor.Stream;
}

}  // namespace rr::test
