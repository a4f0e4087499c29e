#include <catch2/catch.hpp>

#include "report/report.h"

namespace rr {
namespace {

Finding finding(Severity s) {
  Finding f;
  f.severity = s;
  f.code = "x";
  return f;
}

TEST_CASE("worst is Ok without findings") { CHECK(Report{}.worst() == Severity::Ok); }

TEST_CASE("worst is the most severe finding, in any order") {
  Report r;
  r.findings = {finding(Severity::Info), finding(Severity::Critical), finding(Severity::Warning)};
  CHECK(r.worst() == Severity::Critical);
  r.findings = {finding(Severity::Info), finding(Severity::Warning)};
  CHECK(r.worst() == Severity::Warning);
  r.findings = {finding(Severity::Info)};
  CHECK(r.worst() == Severity::Info);
}

}  // namespace
}  // namespace rr

namespace rr {
TEST_CASE("report kinds have their schema names") {
  CHECK(report_kind_name(Report::Kind::Triage) == "triage");
  CHECK(report_kind_name(Report::Kind::Resolution) == "resolution");
  CHECK(report_kind_name(Report::Kind::Unmatched) == "unmatched");
}
}  // namespace rr
