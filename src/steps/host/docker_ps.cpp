#include "steps/host/docker_ps.h"

#include <string>
#include <vector>

#include "common/text.h"
#include "steps/nats/json_read.h"

namespace rr::host {
namespace {

using nats::one_line;

constexpr std::size_t kMaxInput = 16u << 20;

// At most `max_fields` tab-separated fields; the last keeps any further tabs.
std::vector<std::string_view> tab_fields(std::string_view line, std::size_t max_fields) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_fields) {
    auto tab = line.find('\t');
    if (tab == std::string_view::npos) break;
    out.push_back(line.substr(0, tab));
    line = line.substr(tab + 1);
  }
  out.push_back(line);
  return out;
}

}  // namespace

nlohmann::json container_facts(std::string_view output) {
  bool truncated = output.size() > kMaxInput;
  if (truncated) {
    output = output.substr(0, kMaxInput);
    auto nl = output.rfind('\n');  // the last line is cut: drop it
    output = nl == std::string_view::npos ? std::string_view() : output.substr(0, nl + 1);
  }
  auto containers = nlohmann::json::array();
  std::size_t unparsed = 0;
  std::size_t pos = 0;
  while (pos < output.size()) {
    auto nl = output.find('\n', pos);
    std::string_view line = output.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? output.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    auto f = tab_fields(line.substr(0, 8192), 4);
    std::string name = f.size() >= 3 ? one_line(f[0], 256) : std::string();
    if (name.empty()) {
      ++unparsed;
      continue;
    }
    if (containers.size() >= kMaxContainers) {
      truncated = true;
      break;
    }
    containers.push_back({{"name", std::move(name)},
                          {"state", one_line(f[1], 32)},
                          {"status", one_line(f[2], 128)},
                          {"image", f.size() > 3 ? one_line(f[3], 256) : std::string()}});
  }
  return {{"containers", std::move(containers)}, {"unparsed", unparsed}, {"truncated", truncated}};
}

}  // namespace rr::host
