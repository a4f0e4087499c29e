#include "support/chromium.h"

#include <unistd.h>

#include <vector>

#include "support/process.h"

namespace rr::test::chromium {
namespace {

// Without the networking flags Chromium keeps trying Google's services, and a
// machine without network refuses those connections many at a time.
std::vector<std::string> base_argv(const std::string& exe, const std::filesystem::path& profile) {
  return {exe,
          "--headless",
          "--no-sandbox",  // root (CI) cannot use the sandbox
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--log-level=3",  // fatal only: D-Bus complaints would drown the DOM
          "--user-data-dir=" + profile.string()};
}

std::string failure(const RunResult& r) {
  std::string why = r.exit_code == -1 ? "timed out or could not start" : "exit code " + std::to_string(r.exit_code);
  return "chromium " + why + ": " + r.output.substr(0, 2000);
}

}  // namespace

std::string binary() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (::access(path, X_OK) == 0) return path;
  return {};
}

bool available() { return !binary().empty(); }

std::string why_unavailable() {
  if (available()) return {};
  return "Chromium is not installed (/usr/bin/chromium or /usr/bin/chromium-browser; "
         "scripts/setup installs Debian's package chromium)";
}

Result dump_dom(const std::string& url, std::chrono::milliseconds timeout) {
  Result result;
  if (!available()) {
    result.error = why_unavailable();
    return result;
  }
  TempDir profile;
  auto argv = base_argv(binary(), profile.path());
  argv.push_back("--dump-dom");
  argv.push_back(url);
  RunResult r = run(argv, timeout);
  // run() merges stdout and stderr, and Debian's launcher script may still
  // print a line of its own: the DOM is what lies from <html to </html>.
  auto begin = r.output.find("<html");
  auto end = r.output.rfind("</html>");
  if (r.exit_code != 0 || begin == std::string::npos || end == std::string::npos || end < begin) {
    result.error = failure(r);
    return result;
  }
  result.ok = true;
  result.dom = r.output.substr(begin, end + 7 - begin);
  return result;
}

Result screenshot(const std::string& url, const std::filesystem::path& png_path, int width, int height,
                  std::chrono::milliseconds timeout) {
  Result result;
  if (!available()) {
    result.error = why_unavailable();
    return result;
  }
  std::error_code ec;
  std::filesystem::remove(png_path, ec);  // so a stale file cannot pass for this run's
  TempDir profile;
  auto argv = base_argv(binary(), profile.path());
  argv.push_back("--hide-scrollbars");
  argv.push_back("--window-size=" + std::to_string(width) + "," + std::to_string(height));
  argv.push_back("--screenshot=" + png_path.string());
  argv.push_back(url);
  RunResult r = run(argv, timeout);
  bool written = std::filesystem::is_regular_file(png_path, ec) && std::filesystem::file_size(png_path, ec) > 0;
  if (r.exit_code != 0 || !written) {
    result.error = failure(r);
    return result;
  }
  result.ok = true;
  return result;
}

}  // namespace rr::test::chromium
