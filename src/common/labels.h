#pragma once
// Label and annotation sets, as Alertmanager sends them.

#include <map>
#include <string>

namespace rr {

using LabelSet = std::map<std::string, std::string>;

// Value of `name`, or "" when absent (Alertmanager treats both the same).
inline const std::string& label_value(const LabelSet& set, const std::string& name) {
  static const std::string empty;
  auto it = set.find(name);
  return it == set.end() ? empty : it->second;
}

}  // namespace rr
