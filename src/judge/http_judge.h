#pragma once
// Judges the HTTP steps (steps/http/): http.json health endpoints and
// http.metrics endpoints. Codes and their `values`:
//
//   http.unhealthy (critical)      http.json with `expect`: the value at the
//       path differs from it, or the path leads nowhere (value "").
//       url, path, value, expected
//   http.unreachable (warning)     an http.json or http.metrics URL gave no
//       HTTP answer (refused, timed out, name not resolved).
//       url, error
//   http.invalid_reply (warning)   it answered, but nothing usable: larger
//       than the step's cap, not JSON, not Prometheus text, a non-2xx
//       metrics answer. url, status, error
//   metrics.missing (info)         http.metrics read the whole body and a
//       named series has no sample (with the `match` label, if given).
//       url, series
//   metrics.over_max (warning)     http.metrics with `max` SERIES=NUMBER: a
//       sample of SERIES reads more (one finding per sample, its labels
//       named). url, series, value, max, labels
// Urls are the steps' display urls: no userinfo, no query. Several steps
// reporting the same url (and path or series) give one finding with all the
// evidence.

#include "judge/judge.h"

namespace rr {

class HttpJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
