#pragma once
// Small string helpers shared by parsers and renderers.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rr {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
// The items with `sep` between them ("a, b, c").
std::string join(const std::vector<std::string>& items, std::string_view sep = ", ");
bool starts_with(std::string_view s, std::string_view prefix);
// Every byte is printable ASCII (0x20..0x7e); true for "".
bool is_printable_ascii(std::string_view s);

// Cuts `s` to at most `max_bytes` bytes without splitting a UTF-8 sequence,
// appending `marker` (counted in the limit) when it cut anything.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes, std::string_view marker = "…");

// Keeps at most `max_lines` lines and `max_bytes` bytes; says how much was cut.
std::string trim_output(std::string_view s, std::size_t max_lines, std::size_t max_bytes);

// Replaces invalid UTF-8 and control characters other than \n and \t, so
// server replies and command output are safe to put in JSON and chat.
std::string sanitize_utf8(std::string_view s);

// Text from outside (a group key, a label) made safe for one log line:
// valid UTF-8, control characters written as \n, \t or \xHH (so nothing can
// forge a line), cut at `max_bytes`.
std::string log_safe(std::string_view s, std::size_t max_bytes = 200);

// The lines of a text, one at a time, without their "\n" or "\r\n"; a
// last line without "\n" counts. Views into the text, which must outlive it.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    auto nl = rest_.find('\n');
    line = rest_.substr(0, nl);
    rest_ = nl == std::string_view::npos ? std::string_view() : rest_.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  }

 private:
  std::string_view rest_;
};

// The first `max_bytes` of `text` without the line cut in two, and whether
// anything was left out: for parsers that read only so much command output.
std::string_view whole_lines_head(std::string_view text, std::size_t max_bytes, bool& truncated);

// Compares without leaking the position of the first difference.
bool constant_time_equal(std::string_view a, std::string_view b);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

}  // namespace rr
