#pragma once
// Headless Chromium for browser tests: what a real browser makes of a page
// served on loopback. Debian's package `chromium` (scripts/setup installs it).
//
// Every call starts its own browser (run(), no shell) with a fresh temporary
// profile (--user-data-dir, removed afterwards) and the flags that work on a
// machine without network, display or sandbox: --headless --no-sandbox
// --disable-gpu --disable-quic --no-first-run --disable-background-networking
// --disable-component-update --disable-sync, and --log-level=3 to keep its
// own log lines out of the output. The timeout is a ceiling for a hung
// browser, never an expected duration.

#include <chrono>
#include <filesystem>
#include <string>

namespace rr::test::chromium {

// /usr/bin/chromium, else /usr/bin/chromium-browser, if executable; else "".
std::string binary();

// Whether binary() found one, and if not, why (for RR_REQUIRE_OR_SKIP).
bool available();
std::string why_unavailable();

struct Result {
  bool ok = false;
  std::string dom;    // dump_dom(): the serialised DOM, from <html to </html>
  std::string error;  // when !ok: exit code or timeout, and what the browser printed
};

// Loads `url` and returns the DOM as Chromium built it (--dump-dom).
Result dump_dom(const std::string& url, std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Loads `url` in a `width` x `height` window and writes a PNG of the
// viewport to `png_path` (--screenshot, --window-size, --hide-scrollbars).
// ok only when the file was written and is not empty.
Result screenshot(const std::string& url, const std::filesystem::path& png_path, int width, int height,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace rr::test::chromium
