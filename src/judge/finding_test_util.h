#pragma once
// Helpers for the judges' tests (header-only; not part of the library).

#include <string>
#include <vector>

#include "judge/finding.h"

namespace rr::test {

// The findings with `code`, in order.
inline std::vector<const Finding*> with_code(const std::vector<Finding>& fs, const std::string& code) {
  std::vector<const Finding*> out;
  for (const auto& f : fs) {
    if (f.code == code) out.push_back(&f);
  }
  return out;
}

// Every finding with its detail and evidence, for a failing test's message.
inline std::string describe(const std::vector<Finding>& fs) {
  std::string out;
  for (const auto& f : fs) {
    out += std::string(severity_name(f.severity)) + " " + f.code + ": " + f.title + "\n  " + f.detail + "\n";
    for (const auto& e : f.evidence) out += "    " + e + "\n";
  }
  return out;
}

}  // namespace rr::test
