#pragma once
// Finding the step results a judge understands, and collecting findings
// without repeating one that several steps support.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "judge/finding.h"
#include "steps/step.h"

namespace rr {

// The results of `kind` that ran (status Ok) and carry an object of facts.
std::vector<const StepResult*> results_of_kind(const std::vector<StepResult>& steps, std::string_view kind);

// Findings keyed by their code and what they are about (a server index, a
// stream): adding one whose key is already present only adds its evidence
// to the first.
class FindingSet {
 public:
  void add(Finding finding, const std::string& about = "");
  bool contains(const std::string& code, const std::string& about = "") const {
    return index_.count(code + "|" + about) > 0;
  }
  // Appends the findings in the order they were first added.
  void move_to(std::vector<Finding>& out);

 private:
  std::vector<Finding> findings_;
  std::map<std::string, std::size_t> index_;
};

}  // namespace rr
