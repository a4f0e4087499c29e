#include "report/links.h"

#include <algorithm>

#include "common/text.h"
#include "net/http.h"

namespace rr {

bool is_web_url(std::string_view url) {
  // Whitespace and controls would let a value break out of a chat link or a
  // terminal line; parse_url only accepts http and https with a host.
  bool clean = std::none_of(url.begin(), url.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
  if (!clean || url.empty()) return false;
  auto parsed = parse_url(std::string(url));
  return parsed.ok() && !parsed->host.empty();
}

std::string matcher_filter(const LabelSet& labels) {
  std::string out = "{";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ", ";
    first = false;
    out += name;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
  return out;
}

namespace {

std::string_view without_trailing_slashes(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return url;
}

}  // namespace

std::string silence_url(std::string_view external_url, const LabelSet& labels) {
  return std::string(without_trailing_slashes(external_url)) + "/#/silences/new?filter=" +
         percent_encode(matcher_filter(labels));
}

std::string alerts_url(std::string_view external_url, std::string_view receiver) {
  return std::string(without_trailing_slashes(external_url)) + "/#/alerts?receiver=" + percent_encode(receiver);
}

std::vector<Link> build_links(const Notification& notification) {
  std::vector<Link> links;
  auto add = [&links](std::string title, const std::string& url) {
    if (!is_web_url(url)) return;
    bool seen = std::any_of(links.begin(), links.end(), [&url](const Link& l) { return l.url == url; });
    if (!seen) links.push_back(Link{std::move(title), url});
  };
  for (const Alert& alert : notification.alerts) add("Runbook", label_value(alert.annotations, "runbook_url"));
  for (const Alert& alert : notification.alerts) add("Source", alert.generator_url);
  if (is_web_url(notification.external_url)) {
    const LabelSet& scope = notification.group_labels.empty() ? notification.common_labels
                                                              : notification.group_labels;
    if (!scope.empty()) add("Silence", silence_url(notification.external_url, scope));
    add("Alerts", alerts_url(notification.external_url, notification.receiver));
  }
  return links;
}

}  // namespace rr
