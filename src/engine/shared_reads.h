#pragma once
// Shared reads in an alert storm: fifty groups firing about one cluster
// need one look at it, not fifty. Wrapped by share_reads(), a step kind
// answers a read identical to one (same kind, cluster and parameters)
//   - still in flight: by waiting for that one's result (single flight),
//     up to the step's own deadline;
//   - finished less than `window` ago: with its result.
// A shared result says so in its summary ("shared: read 1.2s ago") and in
// its facts ("shared_age_ms"). A StepInput with `fresh` set (verification
// steps, a guard read just before an automatic action) always reads anew. Every triage still
// gets its own copy: nothing is shared by reference.

#include "common/time.h"
#include "steps/step.h"

namespace rr {

// Returns `registry` with every kind wrapped; window <= 0: unchanged.
StepRegistry share_reads(StepRegistry registry, Nanos window);

}  // namespace rr
