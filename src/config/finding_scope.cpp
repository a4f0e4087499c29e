#include "config/finding_scope.h"

#include <algorithm>

namespace rr {

TemplateScope finding_scope(const Config& config, const std::map<std::string, std::string>& values,
                            TemplateScope scope) {
  for (const auto& [k, v] : values) scope["finding." + k] = v;
  for (const auto& [k, v] : config.ssh.vars) scope["host." + k] = v;
  for (const char* key : {"host", "seed_host", "server"}) {
    auto v = values.find(key);
    if (v == values.end() || v->second.empty()) continue;
    auto host = std::find_if(config.hosts.begin(), config.hosts.end(), [&](const HostConfig& h) {
      return h.name == v->second || h.address == v->second;
    });
    if (host == config.hosts.end()) continue;
    for (const auto& [k, var] : host->vars) scope["host." + k] = var;
    scope["host.name"] = host->name;
    break;
  }
  return scope;
}

}  // namespace rr
