// JetStream API replies ($JS.API.STREAM.INFO, $JS.API.CONSUMER.INFO) as
// nats.stream_info and the consumer steps get them: unmarshalled by libnats
// (the functions js_GetStreamInfo and js_GetConsumerInfo call on the reply),
// then turned into facts by src/steps/nats/js_facts.h and shown with
// replication_text. The same bytes are also read as the JSON of any other
// reply with src/steps/nats/json_read.h, whose promises are checked.

#include <set>
#include <string>

#include <nats/nats.h>

#include "fuzz_util.h"
#include "steps/nats/js_facts.h"
#include "steps/nats/js_step.h"
#include "steps/nats/json_read.h"

// libnats' own JSON reading (libnats 3.4, src/util.h and src/js.h): not in its
// public headers, but exported, and exactly what turns a reply into the
// structures the steps receive.
extern "C" {
typedef struct __nats_JSON nats_JSON;
natsStatus nats_JSONParse(nats_JSON** json, const char* str, int strLen);
void nats_JSONDestroy(nats_JSON* json);
natsStatus js_unmarshalStreamInfo(nats_JSON* json, jsStreamInfo** new_si);
natsStatus js_unmarshalConsumerInfo(nats_JSON* json, jsConsumerInfo** new_ci);
}

namespace {

void check_one_line(std::string_view text) {
  for (std::size_t max : {32, 64, 128, 256, 512}) {
    std::string line = rr::nats::one_line(text, max);
    RR_FUZZ_CHECK(line.size() <= max);
    RR_FUZZ_CHECK(rr::fuzz::valid_utf8(line));
    RR_FUZZ_CHECK(line.find_first_of("\n\r\t") == std::string::npos);
  }
}

void read_any(const nlohmann::json& j, int depth) {
  if (depth > 4 || !j.is_object()) return;
  for (const auto& [key, value] : j.items()) {
    (void)rr::nats::get_string(j, key);
    (void)rr::nats::get_int(j, key);
    auto u = rr::nats::get_uint(j, key);
    if (u && value.is_number_integer()) RR_FUZZ_CHECK(value.is_number_unsigned() || value.get<std::int64_t>() >= 0);
    (void)rr::nats::get_number(j, key);
    (void)rr::nats::get_bool(j, key);
    nlohmann::json to = nlohmann::json::object();
    rr::nats::copy_uint(to, j, key, "u");
    rr::nats::copy_string(to, j, key, "s");
    if (to.contains("s")) RR_FUZZ_CHECK(rr::fuzz::valid_utf8(to["s"].get<std::string>()));
    (void)to.dump();
    read_any(rr::nats::field(j, key), depth + 1);
    if (value.is_array())
      for (const auto& item : value) read_any(item, depth + 1);
  }
}

void stream_facts(const jsStreamInfo& si, std::vector<rr::StepResult>& results) {
  nlohmann::json facts = {{"stream", "CIM-EVENTS"}, {"found", true}};
  facts["config"] = rr::nats::stream_config_facts(si.Config);
  facts["state"] = rr::nats::stream_state_facts(si.State);
  facts["replication"] = rr::nats::replication_facts(si.Cluster);
  (void)rr::nats::time_from_nanos(si.Created);
  rr::StepResult r;
  r.id = "stream";
  r.kind = "nats.stream_info";
  r.status = rr::StepStatus::Ok;
  r.output = rr::nats::replication_text(facts["replication"]);
  r.facts = std::move(facts);
  results.push_back(std::move(r));
}

void consumer_facts(const jsConsumerInfo& ci, std::vector<rr::StepResult>& results) {
  rr::StepResult r;
  r.id = "consumer";
  r.kind = "nats.consumer_info";
  r.status = rr::StepStatus::Ok;
  r.facts = {{"stream", "CIM-EVENTS"}, {"consumer", "CIM-PROCESSOR"}, {"found", true}};
  r.facts.update(rr::nats::consumer_facts(ci));
  r.output = rr::nats::replication_text(rr::nats::field(r.facts, "replication"));
  results.push_back(std::move(r));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = rr::fuzz::text_of(data, size);
  check_one_line(text);
  // Parsed as the steps parse replies, noting duplicate keys on the way.
  std::vector<std::set<std::string>> keys;
  bool duplicate_keys = false;
  auto j = nlohmann::json::parse(
      text,
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start) keys.emplace_back();
        if (event == E::object_end && !keys.empty()) keys.pop_back();
        if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second)
          duplicate_keys = true;
        return true;
      },
      /*allow_exceptions=*/false);
  if (!j.is_discarded()) read_any(j, 0);

  // libnats 3.4's own JSON parser leaks what it built when it meets invalid
  // JSON (e.g. garbage after a value in a nested object): its bug, not the
  // steps'. A NATS server sends valid JSON objects, so only those reach it.
  if (j.is_discarded() || !j.is_object() || duplicate_keys) return 0;
  if (size > (1u << 20)) return 0;  // larger replies are refused before libnats sees them
  std::vector<rr::StepResult> results;
  std::string copy(text);  // libnats wants a NUL-terminated string
  nats_JSON* json = nullptr;
  if (nats_JSONParse(&json, copy.c_str(), static_cast<int>(copy.size())) == NATS_OK && json != nullptr) {
    jsStreamInfo* si = nullptr;
    if (js_unmarshalStreamInfo(json, &si) == NATS_OK && si != nullptr) {
      stream_facts(*si, results);
      jsStreamInfo_Destroy(si);
    }
    jsConsumerInfo* ci = nullptr;
    if (js_unmarshalConsumerInfo(json, &ci) == NATS_OK && ci != nullptr) {
      consumer_facts(*ci, results);
      jsConsumerInfo_Destroy(ci);
    }
    nats_JSONDestroy(json);
  }
  rr::fuzz::judge_like_triage(std::move(results), &rr::fuzz::test_cluster());
  return 0;
}
