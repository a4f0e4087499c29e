#include "common/text.h"

#include <cstdint>

#include <fmt/format.h>

namespace rr {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n;
  std::uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range code points are invalid.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

}  // namespace

std::string truncate_utf8(std::string_view s, std::size_t max_bytes, std::string_view marker) {
  if (s.size() <= max_bytes) return std::string(s);
  if (max_bytes <= marker.size()) return std::string(marker.substr(0, max_bytes));
  std::size_t limit = max_bytes - marker.size();
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) n = 1;
    if (i + n > limit) break;
    i += n;
  }
  std::string out(s.substr(0, i));
  out += marker;
  return out;
}

std::string trim_output(std::string_view s, std::size_t max_lines, std::size_t max_bytes) {
  std::size_t lines = 0, pos = 0, cut = std::string_view::npos;
  while (pos < s.size()) {
    auto nl = s.find('\n', pos);
    ++lines;
    if (lines > max_lines) {
      cut = pos;
      break;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  std::string_view kept = cut == std::string_view::npos ? s : s.substr(0, cut);
  std::size_t total_lines = 0;
  for (char c : s) total_lines += c == '\n';
  if (!s.empty() && s.back() != '\n') ++total_lines;
  std::string out;
  bool trimmed = false;
  if (kept.size() > max_bytes) {
    out = truncate_utf8(kept, max_bytes, "");
    trimmed = true;
  } else {
    out = std::string(kept);
    trimmed = cut != std::string_view::npos;
  }
  if (trimmed) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += "… (trimmed: " + std::to_string(s.size()) + " bytes, " + std::to_string(total_lines) + " lines in all)";
  }
  return out;
}

std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    if (n == 1 && (c < 0x20 || c == 0x7F) && c != '\n' && c != '\t') {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Walk the longer input whatever happens, so neither the position of the
  // first difference nor the expected length's prefix leaks through timing.
  std::size_t n = a.size() > b.size() ? a.size() : b.size();
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string_view whole_lines_head(std::string_view text, std::size_t max_bytes, bool& truncated) {
  truncated = text.size() > max_bytes;
  if (!truncated) return text;
  text = text.substr(0, max_bytes);
  auto nl = text.rfind('\n');
  return nl == std::string_view::npos ? std::string_view() : text.substr(0, nl + 1);
}

bool is_printable_ascii(std::string_view s) {
  for (char c : s)
    if (c < 0x20 || c >= 0x7f) return false;
  return true;
}

std::string log_safe(std::string_view s, std::size_t max_bytes) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return truncate_utf8(sanitize_utf8(out), max_bytes);
}

}  // namespace rr
