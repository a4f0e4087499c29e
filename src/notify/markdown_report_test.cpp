#include <catch2/catch.hpp>

#include <cctype>

#include "common/text.h"
#include "notify/markdown_report.h"
#include "notify/test_reports.h"

namespace rr {
namespace {

const std::string kZwsp = "\xE2\x80\x8B";

// What a CommonMark reader shows for escaped text: each backslash escape
// becomes the character it escapes.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && std::ispunct(static_cast<unsigned char>(s[i + 1]))) ++i;
    out += s[i];
  }
  return out;
}

// Positions of characters not preceded by an escaping backslash.
bool has_unescaped(const std::string& s, char c) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == c) return true;
  }
  return false;
}

Tier tier(std::size_t guaranteed, std::vector<std::size_t> costs, std::size_t heading = 0) {
  Tier t("item", "items", guaranteed);
  t.costs = std::move(costs);
  t.heading = heading;
  return t;
}

TEST_CASE("fit_tiers: shares first, then by importance, stopping at the first tier that does not fit") {
  Tier a = tier(1, {10, 10, 10, 10});
  Tier b = tier(1, {10, 10});
  Tier c = tier(0, {5});
  std::size_t left = fit_tiers({&a, &b, &c}, 45);
  // Shares: a1, b1 (20). Then a takes 2 more (40), its 4th does not fit: stop.
  CHECK(a.taken == 3);
  CHECK(b.taken == 1);
  CHECK(c.taken == 0);
  CHECK(left == 5);
  CHECK(left_out_summary({&a, &b, &c}) == "1 more item, 1 more item, 1 more item");

  Tier x = tier(0, {10, 10}, 5);
  Tier y = tier(0, {3});
  CHECK(fit_tiers({&x, &y}, 100) == 100 - 25 - 3);
  CHECK(x.taken == 2);
  CHECK(y.taken == 1);
  CHECK(left_out_summary({&x, &y}).empty());

  Tier big = tier(5, {50, 50});
  Tier small = tier(5, {1, 1});
  fit_tiers({&big, &small}, 60);  // the share of a less important tier is still kept
  CHECK(big.taken == 1);
  CHECK(small.taken == 2);

  // Long findings cannot push out the first command: one of each share first.
  Tier findings = tier(3, {30, 30, 30});
  Tier commands = tier(3, {10, 10, 10});
  fit_tiers({&findings, &commands}, 70);
  CHECK(findings.taken == 2);
  CHECK(commands.taken == 1);
}

TEST_CASE("defuse_mentions breaks every @word and nothing else") {
  CHECK(defuse_mentions("@channel @here @all @everyone @bob") ==
        "@" + kZwsp + "channel @" + kZwsp + "here @" + kZwsp + "all @" + kZwsp + "everyone @" + kZwsp + "bob");
  CHECK(defuse_mentions("root@nats-1") == "root@" + kZwsp + "nats-1");
  CHECK(defuse_mentions("a @ b, 100@") == "a @ b, 100@");
}

TEST_CASE("escape_markdown leaves no markup, link or mention, and reads as the original") {
  std::string e = escape_markdown(test_reports::kHostile);
  for (char c : {'<', '>', '[', ']', '`', '*', '_', '&', '|'}) {
    INFO(c);
    CHECK_FALSE(has_unescaped(e, c));
  }
  CHECK(e.find('\x1b') == std::string::npos);
  CHECK(unescape(e) == defuse_mentions(sanitize_utf8(test_reports::kHostile)));
  CHECK(escape_markdown("- item\n1. first\n  + more\n# head") == "\\- item\n1\\. first\n  \\+ more\n\\# head");
  CHECK(escape_markdown("a-b 2.5 x=1") == "a-b 2.5 x=1");
  CHECK(escape_markdown("@channel").find("@channel") == std::string::npos);
}

TEST_CASE("code text cannot close its block or span") {
  CHECK(code_text("echo ```x```", false) == "echo ` ` `x` ` `");
  CHECK(code_text("````", false).find("```") == std::string::npos);
  CHECK(code_text("a `b`\nc", true) == "a 'b' c");
  CHECK(code_text("<!channel> ssh root@h", false) == "<!channel> ssh root@h");  // code is literal,
  CHECK(code_text("@here @all @allow", false) == "@" + kZwsp + "here @" + kZwsp + "all @allow");  // but for these
}

TEST_CASE("fit_text cuts the raw text, never an escape") {
  std::string e = fit_text(std::string(50, '*'), 21, escape_markdown);
  CHECK(e.size() <= 21);
  CHECK(e.back() != '\\');
  CHECK_FALSE(has_unescaped(e, '*'));
  CHECK(fit_text("ééééé", 5, escape_markdown) == "é\xE2\x80\xA6");  // cut on a character boundary, marked
}

TEST_CASE("links: only the characters that end a link are encoded, address-like titles are replaced") {
  CHECK(link_safe_url("https://h/a(b)|<c>\"`\\") == "https://h/a%28b%29%7C%3Cc%3E%22%60%5C");
  CHECK(link_safe_url("http://[::1]:9093/#/alerts?x=1") == "http://[::1]:9093/#/alerts?x=1");
  CHECK(link_title("Runbook") == "Runbook");
  CHECK(link_title("https://bank.example") == "Link");
  CHECK(link_title("see www.bank.example") == "Link");
  CHECK(link_title("") == "Link");
}

std::string render(const Report& r, std::size_t total = 15000) {
  MarkdownLimits limits;
  limits.total = total;
  return render_markdown_report(r, kCommonMark, limits);
}

TEST_CASE("a small report shows every part") {
  Report r = test_reports::small();
  std::string text = render(r);
  CHECK(text.starts_with("#### \\[FIRING:1\\] NatsServerDown nats\\-west\n") == false);  // '-' only escaped at line start
  CHECK(text.starts_with("#### \\[FIRING:1\\] NatsServerDown nats-west\n"));
  CHECK(text.find("**CRITICAL** nats\\-9 is down") == std::string::npos);
  CHECK(text.find("**CRITICAL** nats-9 is down; the other 2 servers have quorum") != std::string::npos);
  CHECK(text.find("**CRITICAL** nats-9 does not answer `nats.server_down`") != std::string::npos);
  CHECK(text.find("\xE2\x80\xA2 health: nats-9 connection refused") != std::string::npos);
  CHECK(text.find("restart the stopped server on nats-9 (risk: medium)\n```\nsystemctl restart nats-server\n```") !=
        std::string::npos);
  CHECK(text.find("**NatsServerDown** firing `c1aa405082786383` \xE2\x80\x94 nats-9 down") != std::string::npos);
  CHECK(text.find("`jetstream` nats.jetstream timeout (5s)") != std::string::npos);
  CHECK(text.find("```\nnats-0 ok\nnats-1 ok\nnats-9 connection refused\n```") != std::string::npos);
  CHECK(text.find("[Runbook](https://runbooks.example.com/nats/server-down)") != std::string::npos);
  CHECK(text.find("rule `nats-server-down`") != std::string::npos);
  CHECK(text.find("left out") == std::string::npos);
  CHECK(text.find("Full report") == std::string::npos);  // no report page configured
}

TEST_CASE("the full report page is linked at the top and in the note") {
  Report r = test_reports::huge();
  r.url = "https://rr.example.com/reports/r-1";
  r.links.insert(r.links.begin(), Link{"Report", r.url});
  std::string text = render(r, 8000);
  auto top = text.find("[Full report](https://rr.example.com/reports/r-1)");
  REQUIRE(top != std::string::npos);
  CHECK(top < text.find("**Findings**"));
  CHECK(text.find("left out of this message; full report: [open](https://rr.example.com/reports/r-1).") !=
        std::string::npos);
  CHECK(text.find("[Report](") == std::string::npos);  // not listed twice
}

TEST_CASE("a huge report stays within the limit, keeps the verdict, worst findings and commands") {
  Report r = test_reports::huge();
  for (std::size_t total : {15000u, 4000u, 2500u}) {
    INFO(total);
    std::string text = render(r, total);
    CHECK(text.size() <= total);
    CHECK(text.find("VERDICT") != std::string::npos);
    CHECK(text.find("**CRITICAL** finding 0 ") != std::string::npos);
    CHECK(text.find("more findings") != std::string::npos);
    CHECK(text.find("left out of this message") != std::string::npos);
    CHECK(text.find("Alertmanager left out 3 more alert(s)") != std::string::npos);
    CHECK(text.find("javascript") == std::string::npos);
    CHECK(text.find("**Step outputs**") == std::string::npos);
  }
  std::string text = render(r, 15000);
  CHECK(text.find("```\nnats server check ` ` `; rm -rf /") != std::string::npos);  // commands kept, fence broken
  CHECK(text.find("more step outputs") != std::string::npos);
  // Worst first: the five critical findings come before any warning.
  CHECK(text.find("**CRITICAL** finding 4 ") < text.find("**WARNING** finding 5 "));
}

TEST_CASE("when space is short, step outputs go before step lines, and those before findings") {
  Report r = test_reports::small();
  r.steps[0].output = std::string(2000, 'o');
  std::string roomy = render(r);
  CHECK(roomy.find("ooooo") != std::string::npos);
  std::string tight = render(r, 1500);
  CHECK(tight.size() <= 1500);
  CHECK(tight.find("nats-9 does not answer") != std::string::npos);
  CHECK(tight.find("systemctl restart nats-server") != std::string::npos);
  CHECK(tight.find("ooooo") == std::string::npos);
  CHECK(tight.find("1 more step output") != std::string::npos);
}

TEST_CASE("hostile text is inert in every part of the report") {
  Report r = test_reports::small();
  r.title = test_reports::kHostile;
  r.verdict = "@channel " + test_reports::kHostile;
  r.findings[0].title = test_reports::kHostile;
  r.findings[0].evidence = {"[click](https://evil.example) @here"};
  r.alerts[0].summary = "<@U999> @everyone";
  r.suggestions = {Suggestion{"echo ```; @channel", test_reports::kHostile, "low"}};
  r.links = {Link{"javascript", "javascript:alert(1)"}, Link{"https://bank.example", "https://evil.example/x"}};
  std::string text = render(r);
  // Outside the code blocks, nothing unescaped that could be markup.
  std::string prose;
  bool in_block = false;
  for (std::size_t start = 0; start < text.size();) {
    auto nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (line.starts_with("```"))
      in_block = !in_block;
    else if (!in_block)
      prose += line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  CHECK_FALSE(in_block);
  CHECK_FALSE(has_unescaped(prose, '<'));
  for (const char* word : {"@channel", "@here", "@everyone", "@U999"}) CHECK(prose.find(word) == std::string::npos);
  CHECK(prose.find("[click](") == std::string::npos);
  CHECK(prose.find("javascript") == std::string::npos);
  CHECK(prose.find("[Link](https://evil.example/x)") != std::string::npos);  // an address as text is not shown
  CHECK(text.find("```\necho ` ` `; @" + kZwsp + "channel\n```") != std::string::npos);
  CHECK(text.find("@channel") == std::string::npos);
}

}  // namespace
}  // namespace rr
