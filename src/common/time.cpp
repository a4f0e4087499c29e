#include "common/time.h"

#include <algorithm>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>

namespace rr {
namespace {

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

}  // namespace

std::optional<TimePoint> parse_http_date(std::string_view s) {
  static constexpr std::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT") return std::nullopt;
  if (std::find(std::begin(kDays), std::end(kDays), s.substr(0, 3)) == std::end(kDays)) return std::nullopt;
  auto month = std::find(std::begin(kMonths), std::end(kMonths), s.substr(8, 3));
  if (month == std::end(kMonths) || s[7] != ' ' || s[11] != ' ' || s[16] != ' ') return std::nullopt;
  std::size_t pos = 5;
  int day, year, hour, minute, second;
  const int m = static_cast<int>(month - std::begin(kMonths)) + 1;
  if (!digits(s, pos, 2, day)) return std::nullopt;
  pos = 12;
  if (!digits(s, pos, 4, year)) return std::nullopt;
  pos = 17;
  if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) || !expect(s, pos, ':') ||
      !digits(s, pos, 2, second))
    return std::nullopt;
  if (day < 1 || day > days_in_month(year, m) || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  long long secs = days_from_civil(year, m, day) * 86400LL + hour * 3600LL + minute * 60LL + second;
  return TimePoint(std::chrono::seconds(secs));
}

std::optional<TimePoint> parse_rfc3339(std::string_view s) {
  std::size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!digits(s, pos, 4, year) || !expect(s, pos, '-') || !digits(s, pos, 2, month) ||
      !expect(s, pos, '-') || !digits(s, pos, 2, day))
    return std::nullopt;
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return std::nullopt;
  ++pos;
  if (!digits(s, pos, 2, hour) || !expect(s, pos, ':') || !digits(s, pos, 2, minute) ||
      !expect(s, pos, ':') || !digits(s, pos, 2, second))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 60)
    return std::nullopt;
  long long nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (n < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int i = n; i < 9; ++i) nanos *= 10;
  }
  long long offset_seconds = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!digits(s, pos, 2, oh) || !expect(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_seconds = sign * (oh * 3600LL + om * 60LL);
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  long long secs = days_from_civil(year, month, day) * 86400LL + hour * 3600LL + minute * 60LL +
                   second - offset_seconds;
  // TimePoint holds int64 nanoseconds: about +-292 years around 1970. Times
  // outside (Alertmanager's zero time, year 1) are clamped to its minimum,
  // which still compares and round-trips as "not set".
  constexpr long long kMaxSecs = std::numeric_limits<long long>::max() / 1000000000LL - 1;
  if (secs > kMaxSecs) return std::nullopt;
  if (secs < -kMaxSecs) return TimePoint::min();
  return TimePoint(Nanos(secs * 1000000000LL + nanos));
}

std::string format_rfc3339(TimePoint t) {
  if (t == TimePoint::min()) return "0001-01-01T00:00:00Z";
  auto ns = t.time_since_epoch().count();
  long long secs = ns / 1000000000LL;
  long long rem = ns % 1000000000LL;
  if (rem < 0) {
    rem += 1000000000LL;
    --secs;
  }
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(rem / 1000000));
  return buf;
}

std::optional<Nanos> parse_duration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s == "0") return Nanos(0);
  long double total = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t start = pos;
    while (pos < s.size() && (std::isdigit(static_cast<unsigned char>(s[pos])) || s[pos] == '.')) ++pos;
    if (pos == start || pos - start > 18) return std::nullopt;
    std::string number(s.substr(start, pos - start));
    if (number.find('.') != number.rfind('.') || number.front() == '.' || number.back() == '.')
      return std::nullopt;
    long double value = std::stold(number);
    std::size_t ustart = pos;
    while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
    std::string_view unit = s.substr(ustart, pos - ustart);
    long double scale;
    if (unit == "ns") scale = 1;
    else if (unit == "us" || unit == "µs") scale = 1e3;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "s") scale = 1e9;
    else if (unit == "m") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else if (unit == "d") scale = 86400e9;
    else if (unit == "w") scale = 7 * 86400e9;
    else return std::nullopt;
    total += value * scale;
    if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max() / 2)) return std::nullopt;
  }
  return Nanos(static_cast<std::int64_t>(total));
}

std::string format_duration(Nanos d) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(d).count();
  if (ms < 0) return "-" + format_duration(-d);
  if (ms < 1000) return std::to_string(ms) + "ms";
  long long s = ms / 1000;
  if (s < 60) {
    if (ms % 1000 && s < 10) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(ms) / 1000.0);
      return buf;
    }
    return std::to_string(s) + "s";
  }
  long long days = s / 86400, hours = (s % 86400) / 3600, minutes = (s % 3600) / 60, secs = s % 60;
  std::string out;
  if (days) out += std::to_string(days) + "d";
  if (hours) out += std::to_string(hours) + "h";
  if (minutes && !days) out += std::to_string(minutes) + "m";
  if (secs && !days && !hours) out += std::to_string(secs) + "s";
  return out;
}

std::string format_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace rr
