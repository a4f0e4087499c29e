#pragma once
// Containers listed by
// `docker ps -a --format '{{.Names}}\t{{.State}}\t{{.Status}}\t{{.Image}}'`
// (one container per line, fields separated by tabs): a pure function of
// the command's text, for a host step to call; judge/host_containers.h
// turns the facts into findings.
//
// Facts (container_facts), the shape a step puts under facts["host_containers"]:
//   {"containers": [{"name": "titan-nats",
//                    "state": "exited",   // created, running, restarting,
//                                         // paused, exited, removing, dead
//                    "status": "Exited (1) 5 minutes ago",   // "Up 3 hours (healthy)"
//                    "image": "nats:2.10-alpine"}],
//    "unparsed": 0,          // lines that are no container: docker's errors
//                            // ("Cannot connect to the Docker daemon..."), garbage
//    "truncated": false}     // more than kMaxContainers containers: "containers"
//                            // holds the first kMaxContainers
// Fields are kept as printed (one line, bounded); a line needs a name and
// at least the state and status tabs. A container with several names
// (legacy links) has them comma-separated in "name".

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rr::host {

inline constexpr std::size_t kMaxContainers = 1000;

nlohmann::json container_facts(std::string_view docker_ps_output);

}  // namespace rr::host
