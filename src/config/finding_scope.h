#pragma once
// What a `when:` suggestion's placeholders read, besides the alert's scope:
// "finding.K" for each value of the finding, and "host.NAME" for the vars
// (ssh.vars, then the host's own) of the inventory host the finding names
// (its host, seed_host or server value, matched against inventory names and
// addresses) plus host.name; only ssh.vars when it names none. Used to fill
// suggestions, never to connect anywhere.

#include <map>
#include <string>

#include "config/config.h"
#include "rules/template.h"

namespace rr {

TemplateScope finding_scope(const Config& config, const std::map<std::string, std::string>& finding_values,
                            TemplateScope alert_scope = {});

}  // namespace rr
