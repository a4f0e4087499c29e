#pragma once
// Judges nats.leafnodes facts: are the leaf nodes that should be connected
// to the cluster connected (runbook 000, post-recovery verification 4,
// "verify all leaf nodes connected")?
//
// What "should" means is the deployment's: a hub's /leafz lists the leaf
// connections it holds but nothing says which leaf nodes exist (their
// remotes are configured on the leaf side), so the rule states the count
// with the step's `expect` parameter (the step copies it into the facts as
// `expected`). Without one there is nothing to hold the count against and
// no finding. Codes and their `values`:
//
//   nats.leafnodes_missing (warning)   fewer leaf connections than expected,
//       counted over the servers that answered /leafz (a leaf held by a
//       server that did not answer is not counted, and the detail says so).
//       cluster, connected, expected, missing, servers (per server
//       "name: count"), unanswered (monitor URLs that did not answer)
//   nats.leafnodes_connected (ok)      at least the expected count.
//       cluster, connected, expected, leafs (names, or address and account
//       where the server does not send names)

#include "judge/judge.h"

namespace rr {

class NatsLeafnodesJudge : public Judge {
 public:
  void judge(const std::vector<StepResult>& steps, const JudgeContext& ctx, std::vector<Finding>& out) const override;
};

}  // namespace rr
