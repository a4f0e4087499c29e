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
  bool truncated = false;
  output = whole_lines_head(output, kMaxInput, truncated);
  auto containers = nlohmann::json::array();
  std::size_t unparsed = 0;
  LineReader reader(output);
  std::string_view line;
  while (reader.next(line)) {
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
