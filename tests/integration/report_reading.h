#pragma once
// Reading a report as its JSON (report/report_json.h) reaches a sink.

#include <string>

#include <nlohmann/json.hpp>

namespace rr::test {

// The first finding with `code`, or nullptr. Points into `report`.
inline const nlohmann::json* finding(const nlohmann::json& report, const std::string& code) {
  for (const auto& f : report["findings"])
    if (f["code"] == code) return &f;
  return nullptr;
}

// Whether `command` is suggested, exactly.
inline bool suggests(const nlohmann::json& report, const std::string& command) {
  for (const auto& s : report["suggestions"])
    if (s["command"] == command) return true;
  return false;
}

}  // namespace rr::test
