// The report page in a real browser: served over HTTP on loopback, loaded by
// headless Chromium, which says what DOM it built and takes screenshots at a
// phone's and a desktop's size. Needs Chromium (scripts/setup installs it);
// as root, which CI is, a missing Chromium fails the test.
#include <catch2/catch.hpp>
#include <httplib.h>

#include <filesystem>
#include <map>
#include <thread>

#include "notify/test_reports.h"
#include "report/page/report_page.h"
#include "support/chromium.h"
#include "support/process.h"
#include "support/skip.h"

namespace rr {
namespace {

// An httplib server on 127.0.0.1 serving fixed pages, stopped on destruction.
class PageServer {
 public:
  explicit PageServer(std::map<std::string, std::string> pages) : pages_(std::move(pages)) {
    for (const auto& [path, html] : pages_)
      server_.Get(path, [&html = html](const httplib::Request&, httplib::Response& res) {
        res.set_content(html, "text/html; charset=utf-8");
      });
    // bind_to_any_port lets the kernel pick a free port while binding: no race.
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("cannot bind 127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~PageServer() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::map<std::string, std::string> pages_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// A PNG file of more than `min_bytes`: signature first, then real content.
void check_png(const std::filesystem::path& path, std::uintmax_t min_bytes) {
  INFO(path.string());
  REQUIRE(std::filesystem::is_regular_file(path));
  std::string head = test::read_file(path).substr(0, 8);
  CHECK(head == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(std::filesystem::file_size(path) > min_bytes);
}

}  // namespace

TEST_CASE("Chromium renders the report page as written", "[browser]") {
  RR_REQUIRE_OR_SKIP(test::chromium::available(), test::chromium::why_unavailable());
  Report small = test_reports::small();
  Report hostile = test_reports::small();
  hostile.verdict = test_reports::kHostile + "<script>document.title='pwned'</script>";
  hostile.findings[0].title = "<img src=x onerror=alert(1)>" + test_reports::kHostile;
  hostile.suggestions[0].command = "echo '</code></pre><script>alert(1)</script>'";
  PageServer server({{"/reports/r-1", render_report_page(small)},
                     {"/reports/hostile", render_report_page(hostile)},
                     {"/reports", render_report_index({ReportListing{"r-1", small.title, small.verdict, "critical",
                                                                     "triage", small.created}})}});

  SECTION("the DOM has the verdict, the findings and the suggested command") {
    auto result = test::chromium::dump_dom(server.url("/reports/r-1"));
    INFO(result.error);
    REQUIRE(result.ok);
    const std::string& dom = result.dom;
    CHECK(has(dom, "<p class=\"text\">nats-9 is down; the other 2 servers have quorum</p>"));
    CHECK(has(dom, "<span class=\"badge sev-critical\">critical</span>"));
    CHECK(has(dom, "<h3>nats-9 does not answer</h3>"));
    CHECK(has(dom, "<h3>JetStream has quorum</h3>"));
    CHECK(has(dom, "<pre class=\"cmd\"><code>systemctl restart nats-server</code></pre>"));
    CHECK(has(dom, "<summary>Output (3 lines)</summary>"));
    CHECK(has(dom, "<a href=\"https://runbooks.example.com/nats/server-down\" rel=\"noopener noreferrer\">"));
  }

  SECTION("hostile text stays text in the browser's DOM") {
    auto result = test::chromium::dump_dom(server.url("/reports/hostile"));
    INFO(result.error);
    REQUIRE(result.ok);
    const std::string& dom = result.dom;
    CHECK_FALSE(has(dom, "<script"));
    CHECK_FALSE(has(dom, "<img"));
    CHECK_FALSE(has(dom, "pwned</title>"));
    CHECK(has(dom, "&lt;!channel&gt;"));
    CHECK(has(dom, "&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    CHECK(has(dom, "<pre class=\"cmd\"><code>echo '&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;"));
  }

  SECTION("the index links to the report") {
    auto result = test::chromium::dump_dom(server.url("/reports"));
    INFO(result.error);
    REQUIRE(result.ok);
    CHECK(has(result.dom, "<a href=\"reports/r-1\">[FIRING:1] NatsServerDown nats-west</a>"));
  }

  SECTION("screenshots at a phone's and a desktop's size") {
    // Beside the test executable, i.e. in the build directory, wherever the
    // test is started from (the working directory is the source tree when run by hand).
    auto dir = std::filesystem::read_symlink("/proc/self/exe").parent_path() / "screenshots";
    std::filesystem::create_directories(dir);
    struct Shot {
      const char* name;
      int width, height;
    };
    for (Shot shot : {Shot{"report-page-phone.png", 390, 844}, Shot{"report-page-desktop.png", 1280, 900}}) {
      auto result = test::chromium::screenshot(server.url("/reports/r-1"), dir / shot.name, shot.width, shot.height);
      INFO(result.error);
      REQUIRE(result.ok);
      check_png(dir / shot.name, 10 * 1024);
    }
  }
}

}  // namespace rr
