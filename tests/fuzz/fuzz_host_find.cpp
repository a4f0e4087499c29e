// find -printf / -print output (src/steps/host/find_output.h): the parser as the ssh.* host steps call it
// (steps/ssh/command_step.cpp), its facts redacted and judged
// (judge/host_output_judge.cpp) and written out as the triage does.

#include "fuzz_util.h"
#include "steps/host/find_output.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view output = rr::fuzz::text_of(data, size);
  nlohmann::json parsed = rr::host::snapshot_facts(output);
  RR_FUZZ_CHECK(parsed.is_object());
  rr::StepResult r;
  r.id = "find";
  r.kind = "ssh.find";
  r.target = "n1.example";
  r.status = rr::StepStatus::Ok;
  r.output = std::string(output.substr(0, 4096));
  r.facts = {{"host", "n1.example"}, {"container", "titan-nats"}, {"host_snapshots", std::move(parsed)}};
  rr::fuzz::judge_like_triage({std::move(r)}, nullptr);
  return 0;
}
