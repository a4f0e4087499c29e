#pragma once
// The full report as a web page, served by the responder itself so that chat
// messages can stay short and link to it: GET /reports/ID shows one report,
// GET /reports lists recent ones.
//
// Both are complete HTML5 documents, rendered on the server with their own
// CSS in one <style> element and no JavaScript at all: one column on a
// phone, light or dark as the reader's system is, and printable (folded
// output printed in full, links with their URL). A Content-Security-Policy
// meta element allows nothing but that inline style (no scripts, images,
// fonts, frames, forms or base URL), robots are told not to index, and links
// followed from the page send no Referer.
//
// Every value taken from a report is made valid UTF-8 (sanitize_utf8) and
// HTML-escaped (& < > " '), so no alert label, annotation or command output
// can become markup, an attribute, CSS or a link: only URLs that pass
// is_web_url (absolute http or https) become <a href>, with
// rel="noopener noreferrer". Report values never name a CSS class; classes
// come from the severity, status and risk enums or a fixed list.
//
// Long reports are cut to keep the page small, and the page says where:
// at most 100 findings with 8 evidence lines each, 50 alerts, 50 steps,
// 50 suggestions and 50 links; each step's output to 200 lines and 16,000
// bytes, and 160,000 bytes of output in all (later steps show none); long
// single values to a few thousand bytes. The JSON webhook target carries
// everything.

#include <string>
#include <vector>

#include "common/time.h"
#include "report/report.h"

namespace rr {

// The page for one report: title, status and kind; the verdict with the worst
// severity as a colored badge; findings (most severe first), suggested
// commands (marked as never run), alerts, steps (output collapsed in
// <details>), links, and a meta section (report id, created, triage
// duration, rule, cluster, receiver, group key). A link "All reports" points
// to "../reports", which is the index when the page is served at
// <prefix>/reports/<id>.
std::string render_report_page(const Report& report);

// One row of the report index. `severity` is a severity_name() ("critical",
// "warning", "info", "ok"); any other value is shown, uncolored.
struct ReportListing {
  std::string id;
  std::string title;
  std::string verdict;
  std::string severity;
  std::string kind;
  TimePoint created;
};

// The index of reports, in the order given (the caller puts the newest
// first). Each entry links to "reports/<percent-encoded id>", relative, so
// the index must be served at <prefix>/reports, without a trailing slash (as
// GET /reports is); ids "", "." and ".." get no link.
std::string render_report_index(const std::vector<ReportListing>& reports);

}  // namespace rr
