#pragma once
// A finding: something judged from facts, with the facts it came from.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rr {

enum class Severity { Critical = 0, Warning = 1, Info = 2, Ok = 3 };
std::string_view severity_name(Severity s);  // "critical", "warning", "info", "ok"

struct Finding {
  Severity severity = Severity::Info;
  std::string code;    // stable id, e.g. "nats.server_down"; rules key on it
  std::string title;   // one line
  std::string detail;  // a few sentences
  std::vector<std::string> evidence;            // facts cited, "step id: fact"
  std::map<std::string, std::string> values;    // e.g. server=n3, for suggestions
};

}  // namespace rr
