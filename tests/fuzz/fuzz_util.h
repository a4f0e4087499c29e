#pragma once
// Shared by the libFuzzer targets of this folder (see README "Fuzzing").

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/redact.h"
#include "config/config.h"
#include "judge/judge.h"
#include "steps/step.h"

namespace rr::fuzz {

// A broken promise of the code under test: reported like a crash, so the
// input is saved.
#define RR_FUZZ_CHECK(cond)                                                        \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "%s:%d: RR_FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                         \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Inputs that hold several documents (one reply per server, a template and
// its values) separate them with this line; at most `max_parts` parts, the
// last one keeping any further separators.
inline constexpr std::string_view kSeparator = "\n-----\n";

inline std::vector<std::string_view> split_parts(std::string_view text, std::size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    auto at = text.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(text);
  return parts;
}

inline bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 0x6) {
      n = 1, cp = c & 0x1F;
    } else if ((c >> 4) == 0xE) {
      n = 2, cp = c & 0x0F;
    } else if ((c >> 3) == 0x1E) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

// The cluster the NATS targets read for: three servers, as in
// src/steps/nats/testdata (monitors 127.0.0.1:8222..8224).
inline const ClusterConfig& test_cluster() {
  static const ClusterConfig cluster = [] {
    ClusterConfig c;
    c.name = "cim";
    c.servers = {"nats://127.0.0.1:4222", "nats://127.0.0.1:4223", "nats://127.0.0.1:4224"};
    c.monitor = {"http://127.0.0.1:8222", "http://127.0.0.1:8223", "http://127.0.0.1:8224"};
    c.system_user = "sys";
    c.system_password = "sys";
    return c;
  }();
  return cluster;
}

// What the triage does with step results after the steps (engine/triage.cpp):
// redact, judge, and write them out as JSON (the report, the journal).
// A finished NATS step's result ("nats.health" gets id "health") on the
// test cluster, as the step kinds make it.
inline StepResult nats_step(std::string_view kind, nlohmann::json facts, std::string summary, std::string output) {
  StepResult r;
  r.id = std::string(kind.substr(5));
  r.kind = std::string(kind);
  r.target = "cluster cim (3 servers)";
  r.status = StepStatus::Ok;
  r.facts = std::move(facts);
  r.summary = std::move(summary);
  r.output = std::move(output);
  return r;
}

inline void judge_like_triage(std::vector<StepResult> results, const ClusterConfig* cluster) {
  static const Redactor redactor = Redactor::make().value();
  static const Judges judges = default_judges();
  for (StepResult& r : results) redact_result(r, redactor);
  auto findings = judges.run(results, JudgeContext{cluster, nullptr});
  for (const StepResult& r : results) {
    RR_FUZZ_CHECK(valid_utf8(r.summary));
    RR_FUZZ_CHECK(valid_utf8(r.output));
    (void)r.facts.dump();  // throws on invalid UTF-8: redact_result must have fixed it
  }
  (void)findings.size();
}

}  // namespace rr::fuzz
