#include "report/page/report_page.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <set>

#include "common/text.h"
#include "notify/test_reports.h"
#include "report/links.h"

namespace rr {
namespace {

bool has(const std::string& page, std::string_view text) { return page.find(text) != std::string::npos; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Tag {
  std::string name;  // "p", "/p", "!DOCTYPE"
  std::vector<std::pair<std::string, std::string>> attributes;
};

// Every tag of a page the renderers wrote, read strictly: <name, then only
// name="value" attributes whose value holds no quote, then >. Escaping that
// failed anywhere shows up as a tag, an attribute or a parse error here.
std::vector<Tag> tags_of(const std::string& html) {
  std::vector<Tag> tags;
  std::size_t i = 0;
  auto is_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '!' || c == '/'; };
  while ((i = html.find('<', i)) != std::string::npos) {
    Tag tag;
    ++i;
    while (i < html.size() && is_name(html[i])) tag.name += html[i++];
    while (true) {
      while (i < html.size() && html[i] == ' ') ++i;
      if (i >= html.size()) throw std::runtime_error("unterminated tag " + tag.name);
      if (html[i] == '>') break;
      std::string name;
      while (i < html.size() && (std::isalnum(static_cast<unsigned char>(html[i])) || html[i] == '-'))
        name += html[i++];
      if (name.empty())
        throw std::runtime_error("unexpected character in tag " + tag.name + " at " + std::to_string(i));
      if (tag.name == "!DOCTYPE") {  // <!DOCTYPE html>
        tag.attributes.emplace_back(name, "");
        continue;
      }
      if (html.compare(i, 2, "=\"") != 0) throw std::runtime_error("attribute without quoted value: " + name);
      auto end = html.find('"', i + 2);
      if (end == std::string::npos) throw std::runtime_error("unterminated attribute " + name);
      tag.attributes.emplace_back(name, html.substr(i + 2, end - i - 2));
      i = end + 1;
    }
    tags.push_back(std::move(tag));
  }
  return tags;
}

// What the pages may contain: anything else came from a report value.
const std::set<std::string> kElements = {
    "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "h1",
    "h2", "h3", "p", "span", "div", "a", "ol", "ul", "li", "code", "pre", "details", "summary", "time", "dl",
    "dt", "dd"};
const std::set<std::string> kAttributes = {"lang", "charset", "name", "content", "http-equiv", "class", "id",
                                           "aria-labelledby", "aria-label", "href", "rel", "datetime", "html"};
const std::set<std::string> kClasses = {
    "brand", "tags", "pill", "count", "badge", "verdict", "label", "text", "cards", "card", "sev-card", "head",
    "sub", "prose", "evidence", "note", "cut", "cmd", "out", "labels", "links", "meta", "sev-critical",
    "sev-warning", "sev-info", "sev-ok", "st-ok", "st-failed", "st-timeout", "st-skipped", "st-firing",
    "st-resolved", "risk-read-only", "risk-low", "risk-medium", "risk-high"};

// Checks the structure of a rendered page: known elements, attributes and
// classes only; links only to http(s) or the responder's own pages.
void check_structure(const std::string& page) {
  std::vector<Tag> tags;
  REQUIRE_NOTHROW(tags = tags_of(page));
  for (const Tag& tag : tags) {
    std::string element = tag.name[0] == '/' ? tag.name.substr(1) : tag.name;
    INFO("element " << tag.name);
    CHECK(kElements.count(element) == 1);
    for (const auto& [name, value] : tag.attributes) {
      INFO("attribute " << name << "=\"" << value << "\"");
      CHECK(kAttributes.count(name) == 1);
      CHECK(value.find('<') == std::string::npos);
      CHECK((value.find('\'') == std::string::npos || name == "content"));  // the CSP's own 'none'
      if (name == "class")
        for (const std::string& c : split(value, ' '))
          if (!c.empty()) CHECK(kClasses.count(c) == 1);
      if (name == "href")
        CHECK((starts_with(value, "https://") || starts_with(value, "http://") || value == "../reports" ||
               starts_with(value, "reports/")));
    }
  }
}

// A URL is_web_url() accepts, with every character that matters in HTML.
const std::string kWebAttack = "https://example.com/?a=1&b=<i>\"'x";

// A report with `text` in every string it has.
Report everywhere(const std::string& text) {
  Report r = test_reports::small();
  r.id = r.title = r.status = r.group_key = r.receiver = r.rule = r.cluster = r.verdict = text;
  for (Finding& f : r.findings) {
    f.code = f.title = f.detail = text;
    f.evidence = {text, text};
  }
  for (ReportAlert& a : r.alerts) {
    a.name = a.status = a.fingerprint = a.summary = a.rule = text;
    a.labels = {{text, text}, {"alertname", text}};
  }
  for (StepResult& s : r.steps) s.id = s.kind = s.target = s.summary = s.output = text;
  r.suggestions = {Suggestion{text, text, text}};
  r.links = {Link{text, text}, Link{text, kWebAttack}};
  return r;
}

const std::string kAttack =
    test_reports::kHostile + " <script>alert(1)</script> \"><img src=x onerror=alert(1)> ' onmouseover='x' "
    "</style></pre></details><a href=\"javascript:alert(1)\">x</a> {{x}} </code>";

}  // namespace

TEST_CASE("The report page has every section of a small report") {
  Report r = test_reports::small();
  std::string page = render_report_page(r);
  check_structure(page);

  CHECK(starts_with(page, "<!DOCTYPE html>\n<html lang=\"en\">"));
  CHECK(has(page, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
  CHECK(has(page, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline';"));
  CHECK(has(page, "<meta name=\"robots\" content=\"noindex"));
  CHECK(has(page, "<style>"));
  CHECK_FALSE(has(lower(page), "<script"));
  CHECK(has(page, "<title>[FIRING:1] NatsServerDown nats-west</title>"));

  // Header: title, status and kind.
  CHECK(has(page, "<h1>[FIRING:1] NatsServerDown nats-west</h1>"));
  CHECK(has(page, "<span class=\"pill st-firing\">firing</span>"));
  CHECK(has(page, "<span class=\"pill \">triage</span>"));
  // The verdict with the worst severity as its badge.
  CHECK(has(page, "<section class=\"verdict sev-critical\""));
  CHECK(has(page, "<span class=\"badge sev-critical\">critical</span></p>\n"
                  "<p class=\"text\">nats-9 is down; the other 2 servers have quorum</p>"));
  // Findings, most severe first, with detail and evidence.
  auto critical = page.find("<h3>nats-9 does not answer</h3>");
  auto info = page.find("<h3>JetStream has quorum</h3>");
  REQUIRE(critical != std::string::npos);
  REQUIRE(info != std::string::npos);
  CHECK(critical < info);
  CHECK(has(page, "<code>nats.server_down</code>"));
  CHECK(has(page, "Its monitoring port refused the connection."));
  CHECK(has(page, "<li>health: nats-9 connection refused</li>"));
  // Suggested commands, marked as never run.
  CHECK(has(page, "<pre class=\"cmd\"><code>systemctl restart nats-server</code></pre>"));
  CHECK(has(page, "restart the stopped server on nats-9"));
  CHECK(has(page, "<span class=\"pill risk-medium\">risk: medium</span>"));
  CHECK(has(page, "The responder never ran these commands."));
  // Alerts: name, status, labels, summary, start.
  CHECK(has(page, "<h3>NatsServerDown</h3><span class=\"pill st-firing\">firing</span>"));
  CHECK(has(page, "<code>server=nats-9</code>"));
  CHECK_FALSE(has(page, "<code>alertname=NatsServerDown</code>"));  // it is the heading
  CHECK(has(page, "nats-9 down"));
  std::string started = format_rfc3339(r.alerts[0].starts_at);
  CHECK(has(page, "Started <time datetime=\"" + started + "\">"));
  // Steps: status, id, kind, target, duration, summary, output folded away.
  CHECK(has(page, "<span class=\"pill st-ok\">ok</span><h3>health</h3><code>nats.health</code>"
                  "<span class=\"sub\">120ms</span>"));
  CHECK(has(page, "<p class=\"sub\">on cluster nats-west (3 servers)</p>"));
  CHECK(has(page, "2 of 3 servers healthy"));
  CHECK(has(page, "<details><summary>Output (3 lines)</summary><pre class=\"out\"><code>nats-0 ok\nnats-1 ok\n"
                  "nats-9 connection refused</code></pre></details>"));
  CHECK(has(page, "<span class=\"pill st-timeout\">timeout</span><h3>jetstream</h3>"));
  // Links, http(s) only, without a referrer or an opener.
  CHECK(has(page, "<a href=\"https://runbooks.example.com/nats/server-down\" rel=\"noopener noreferrer\">"
                  "Runbook</a>"));
  CHECK(has(page, "<a href=\"http://127.0.0.1:9093/#/silences/new?filter=%7Balertname%3D%22NatsServerDown%22%7D\""));
  // Meta: id, created, triage duration, receiver, group key (its quotes escaped).
  CHECK(has(page, "<dt>Report</dt><dd><code>r-1</code></dd>"));
  CHECK(has(page, "<dt>Created</dt><dd><time datetime=\"" + format_rfc3339(r.created) + "\">"));
  CHECK(has(page, "<dt>Triage took</dt><dd>" + format_duration(r.triage_duration) + "</dd>"));
  CHECK(has(page, "<dt>Receiver</dt><dd>nats-diag</dd>"));
  CHECK(has(page, "<dt>Group key</dt><dd><code>{}:{alertname=&quot;NatsServerDown&quot;}</code></dd>"));
  CHECK_FALSE(has(page, "left out"));  // no truncated alerts
}

TEST_CASE("The report page sorts findings and says when there are none") {
  Report r = test_reports::small();
  std::swap(r.findings[0], r.findings[1]);  // info first, as a hand-built report might
  std::string page = render_report_page(r);
  CHECK(page.find("nats-9 does not answer") < page.find("JetStream has quorum"));

  r.findings.clear();
  r.verdict.clear();
  page = render_report_page(r);
  CHECK(has(page, "<section class=\"verdict sev-ok\""));
  CHECK(has(page, "<span class=\"badge sev-ok\">ok</span>"));
  CHECK(has(page, "(no verdict)"));
  CHECK(has(page, "No findings."));
}

TEST_CASE("Hostile text is escaped everywhere on the report page") {
  Report r = everywhere(kAttack);
  r.truncated_alerts = 2;
  std::string page = render_report_page(r);
  check_structure(page);
  CHECK_FALSE(has(page, "<!channel>"));
  CHECK_FALSE(has(page, "<@U123>"));
  CHECK_FALSE(has(lower(page), "<script"));
  CHECK_FALSE(has(lower(page), "<img"));
  CHECK_FALSE(has(lower(page), "href=\"javascript"));
  CHECK_FALSE(has(page, "\x1b"));  // terminal escapes are replaced
  CHECK(has(page, "&lt;!channel&gt; &lt;@U123&gt; &amp; &lt;https://evil.example|click&gt; &amp;amp;"));
  CHECK(has(page, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &#39; onmouseover=&#39;x&#39;"));
  CHECK(has(page, "&lt;/style&gt;&lt;/pre&gt;&lt;/details&gt;"));
  // One </style>, one </pre> per <pre>: nothing closed the page's own elements early.
  auto count = [&](std::string_view s) {
    std::size_t n = 0;
    for (auto i = page.find(s); i != std::string::npos; i = page.find(s, i + 1)) ++n;
    return n;
  };
  CHECK(count("</style>") == 1);
  CHECK(count("</pre>") == count("<pre"));
  CHECK(count("</details>") == count("<details>"));
  CHECK(has(page, "<h3>" + std::string("&lt;!channel&gt;")));  // values still shown, as text
  CHECK(has(page, "left out 2 more alert(s)"));
  // The link that is not a web URL is text; the one that is stays escaped in its attribute.
  CHECK(has(page, "(not a web link)"));
  REQUIRE(is_web_url(kWebAttack));
  CHECK(has(page, "<a href=\"https://example.com/?a=1&amp;b=&lt;i&gt;&quot;&#39;x\" rel=\"noopener noreferrer\">"));
}

TEST_CASE("Quotes and schemes in link URLs cannot leave the href") {
  Report r = test_reports::small();
  r.links = {Link{"q", "https://evil.example/a\"onmouseover=\"alert(1)"},
             Link{"s", "https://evil.example/a'onmouseover='alert(1)"},
             Link{"js", "javascript:alert(document.cookie)"},
             Link{"js2", "JavaScript://example.com/%0aalert(1)"},
             Link{"data", "data:text/html,<script>alert(1)</script>"},
             Link{"rel", "/reports/../admin"}};
  std::string page = render_report_page(r);
  check_structure(page);
  CHECK_FALSE(has(page, "\"onmouseover"));
  CHECK_FALSE(has(page, "'onmouseover"));
  CHECK_FALSE(has(lower(page), "href=\"javascript"));
  CHECK_FALSE(has(page, "href=\"data:"));
  CHECK_FALSE(has(page, "href=\"/reports/../admin"));
  CHECK_FALSE(has(lower(page), "<script"));
  CHECK(has(page, "js: <code>javascript:alert(document.cookie)</code>"));
}

TEST_CASE("The page leaves out the link to itself") {
  Report r = test_reports::small();
  r.url = "https://rr.example.com/reports/r-1";
  r.links.insert(r.links.begin(), Link{"Full report", r.url});
  std::string page = render_report_page(r);
  CHECK_FALSE(has(page, "Full report"));
  CHECK(has(page, ">Runbook</a>"));
}

TEST_CASE("Invalid UTF-8 in any field leaves a valid page") {
  const std::string bad = std::string("bad \xff\xfe \xc3 \xed\xa0\x80 nul") + '\0' + " end \xe2\x82";
  Report r = everywhere(bad);
  std::string page = render_report_page(r);
  check_structure(page);
  CHECK(sanitize_utf8(page) == page);  // valid UTF-8 with no control characters but \n
  CHECK(has(page, "bad \xEF\xBF\xBD\xEF\xBF\xBD"));
  CHECK(has(page, "</html>\n"));

  std::vector<ReportListing> listings = {ReportListing{bad, bad, bad, bad, bad, {}}};
  std::string index = render_report_index(listings);
  check_structure(index);
  CHECK(sanitize_utf8(index) == index);
}

TEST_CASE("A huge report renders, cut to a reasonable size, and says where") {
  std::string page = render_report_page(test_reports::huge());
  check_structure(page);
  CHECK(page.size() < 1024 * 1024);
  CHECK(has(page, "</html>\n"));
  CHECK(has(page, "Showing the first 100 of 200 findings"));
  CHECK(has(page, "… and 12 more not shown"));
  CHECK(has(page, "Showing the first 50 of 60 suggestions"));
  CHECK(has(page, "Showing the first 50 of 100 alerts"));
  CHECK(has(page, "Output left off this page (size limit)."));  // later steps' output
  CHECK(has(page, "… (cut)"));       // the 5,000-byte verdict
  CHECK(has(page, "left out 3 more alert(s)"));
  CHECK_FALSE(has(page, "<!channel>"));
  CHECK_FALSE(has(lower(page), "href=\"javascript"));
  CHECK(has(page, "Evil: <code>javascript:alert(1)</code>"));
}

TEST_CASE("Long step output is trimmed, and the page says so") {
  Report r = test_reports::small();
  r.steps[0].output.clear();
  for (int i = 0; i < 300; ++i) r.steps[0].output += "line " + std::to_string(i) + "\n";
  std::string page = render_report_page(r);
  CHECK(has(page, "<summary>Output (300 lines)</summary>"));
  CHECK(has(page, "line 199\n… (trimmed: "));
  CHECK_FALSE(has(page, "line 200\n"));
}

TEST_CASE("The report index lists reports in the order given, escaped") {
  std::vector<ReportListing> listings = {
      ReportListing{"r-3", "[FIRING:1] NatsServerDown nats-west", "nats-9 is down", "critical", "triage",
                    TimePoint(std::chrono::seconds(1795394300))},
      ReportListing{"a/b c?d", kAttack, kAttack, "warning", "resolution", TimePoint(std::chrono::seconds(1795394200))},
      ReportListing{"..", "dots", "", "info", "triage", {}},
      ReportListing{"r-1", "oldest", "", "\"><b>", kAttack, TimePoint(std::chrono::seconds(1795394000))}};
  std::string page = render_report_index(listings);
  check_structure(page);
  CHECK(has(page, "<title>Recent reports</title>"));
  CHECK(has(page, "4 reports, newest first"));

  auto first = page.find("<a href=\"reports/r-3\">[FIRING:1] NatsServerDown nats-west</a>");
  auto second = page.find("<a href=\"reports/a%2Fb%20c%3Fd\">&lt;!channel&gt;");
  auto third = page.find("<h3>dots</h3>");  // ".." would be a different path: no link
  auto fourth = page.find("<a href=\"reports/r-1\">oldest</a>");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  REQUIRE(third != std::string::npos);
  REQUIRE(fourth != std::string::npos);
  CHECK(first < second);
  CHECK(second < third);
  CHECK(third < fourth);

  CHECK(has(page, "<span class=\"badge sev-critical\">critical</span>"));
  CHECK(has(page, "<span class=\"badge \">&quot;&gt;&lt;b&gt;</span>"));  // unknown severity: no color
  CHECK(has(page, "<time datetime=\"" + format_rfc3339(listings[0].created) + "\">"));
  CHECK_FALSE(has(page, "<!channel>"));
  CHECK_FALSE(has(lower(page), "<script"));
  CHECK_FALSE(has(page, "<b>"));

  std::string empty = render_report_index({});
  check_structure(empty);
  CHECK(has(empty, "No reports yet."));
  CHECK(has(empty, "0 reports, newest first"));
}

}  // namespace rr
