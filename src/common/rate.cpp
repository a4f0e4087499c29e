#include "common/rate.h"

#include <charconv>
#include <string>

#include "common/text.h"

namespace rr {

Result<double> parse_rate(std::string_view text, std::string_view key) {
  text = trim(text);
  if (text == "0" || text == "none") return 0.0;
  auto bad = [&] {
    return Error{std::string(key), "\"" + std::string(text.substr(0, 32)) + "\" is not N/s, N/m or N/h"};
  };
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash + 2 != text.size()) return bad();
  double n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + slash, n);
  if (ec != std::errc() || end != text.data() + slash || !(n > 0) || n > 1e6) return bad();
  switch (text.back()) {
    case 's': return n;
    case 'm': return n / 60;
    case 'h': return n / 3600;
    default: return bad();
  }
}

}  // namespace rr
