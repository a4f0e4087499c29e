#pragma once
// The links a reader of a report wants next to it: the runbook, the graph
// that fired, a pre-filled silence and the receiver's alerts view, with
// URLs in Alertmanager's own UI format (the silence form and the alerts view).

#include <string>
#include <string_view>
#include <vector>

#include "common/labels.h"
#include "intake/payload/notification.h"
#include "report/report.h"

namespace rr {

// True for an absolute http(s) URL with a host and no whitespace or control
// characters. Anything else (javascript:, data:, relative paths) must never
// become a clickable link: annotations are written by whoever writes alert rules.
bool is_web_url(std::string_view url);

// Alertmanager's matcher text for `labels`: {k="v", k2="v2"}, values quoted
// with \ and " escaped.
std::string matcher_filter(const LabelSet& labels);

// <external_url>/#/silences/new?filter=<percent-encoded matcher_filter(labels)>
std::string silence_url(std::string_view external_url, const LabelSet& labels);

// <external_url>/#/alerts?receiver=<percent-encoded receiver>
std::string alerts_url(std::string_view external_url, std::string_view receiver);

// In this order, without duplicate URLs: each alert's runbook_url annotation
// ("Runbook"), each non-empty generatorURL ("Source"), "Silence" for the group
// labels and "Alerts" for the receiver. Entries whose URL is not is_web_url()
// are left out, and so are the last two when externalURL is not.
std::vector<Link> build_links(const Notification& notification);

}  // namespace rr
