// Placeholder templates (src/rules/template.h) rendered with hostile label
// values. Input: the template text, then values, separated by "\n-----\n";
// the template's placeholders get the values in order. Checked: whatever
// render() accepts passes check_value(), and shell_word() always gives one
// shell word that reads back as the value.

#include <optional>
#include <string>

#include "fuzz_util.h"
#include "rules/template.h"

namespace {

// Reads a shell_word() result back as sh would; nullopt when it is not one
// plain or single-quoted word.
std::optional<std::string> unquote_shell_word(std::string_view w) {
  static constexpr std::string_view kPlain =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.,:/@=+-";
  std::string out;
  std::size_t i = 0;
  while (i < w.size()) {
    if (w[i] == '\'') {
      auto end = w.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      out.append(w.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (w[i] == '\\' && i + 1 < w.size() && w[i + 1] == '\'') {
      out += '\'';
      i += 2;
    } else if (kPlain.find(w[i]) != std::string_view::npos) {
      out += w[i++];
    } else {
      return std::nullopt;
    }
  }
  return out;
}

constexpr rr::ValueType kTypes[] = {rr::ValueType::Host,     rr::ValueType::Name, rr::ValueType::Subject,
                                    rr::ValueType::Integer,  rr::ValueType::Duration,
                                    rr::ValueType::Word,     rr::ValueType::Url};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = rr::fuzz::split_parts(rr::fuzz::text_of(data, size), 9);
  std::vector<std::string> values(parts.begin() + 1, parts.end());

  for (const std::string& v : values) {
    std::string word = rr::shell_word(v);
    auto back = unquote_shell_word(word);
    RR_FUZZ_CHECK(back.has_value());
    RR_FUZZ_CHECK(*back == v);
    if (!word.empty()) RR_FUZZ_CHECK(word[0] != '=' || v.empty());
    for (rr::ValueType t : kTypes) {
      if (!rr::check_value(t, v)) {
        // Accepted: printable ASCII, not empty, no leading '-'.
        RR_FUZZ_CHECK(!v.empty() && v[0] != '-');
        for (char c : v) RR_FUZZ_CHECK(c > 0x20 && c < 0x7f);
      }
    }
  }

  auto parsed = rr::Template::parse(parts[0]);
  if (!parsed) {
    RR_FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  const rr::Template& t = *parsed;
  RR_FUZZ_CHECK(t.source() == parts[0]);
  rr::TemplateScope scope;
  auto paths = t.paths();
  for (std::size_t i = 0; i < paths.size() && !values.empty(); ++i) scope[paths[i]] = values[i % values.size()];
  (void)t.has_placeholders();
  for (rr::ValueType type : kTypes) {
    (void)t.check_defaults(type);
    for (auto quoting : {rr::Template::Quoting::None, rr::Template::Quoting::Shell}) {
      auto out = t.render(scope, type, quoting);
      if (!out) RR_FUZZ_CHECK(!out.error().message.empty());
    }
  }
  // A template that is one placeholder renders to the value itself.
  if (paths.size() == 1 && parts[0].rfind("{{", 0) == 0 && parts[0].size() >= 4 &&
      parts[0].substr(parts[0].size() - 2) == "}}" && parts[0].find("}}") == parts[0].size() - 2 &&
      scope.count(paths[0]) && !scope[paths[0]].empty()) {
    for (rr::ValueType type : kTypes) {
      auto plain = t.render(scope, type);
      auto shell = t.render(scope, type, rr::Template::Quoting::Shell);
      RR_FUZZ_CHECK(plain.ok() == shell.ok());
      if (plain && parts[0].find("default") == std::string_view::npos) {
        RR_FUZZ_CHECK(*plain == scope[paths[0]]);
        RR_FUZZ_CHECK(!rr::check_value(type, *plain) || parts[0].find('|') != std::string_view::npos);
        RR_FUZZ_CHECK(unquote_shell_word(*shell) == *plain);
      }
    }
  }
  return 0;
}
