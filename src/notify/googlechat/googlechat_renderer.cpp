// render_googlechat(): a report as a Google Chat text message.
#include <cstdint>

#include <fmt/format.h>

#include "common/text.h"
#include "notify/googlechat/googlechat.h"

namespace rr {

namespace {

using nlohmann::json;

constexpr std::string_view kSingleAngle = "\xE2\x80\xB9";  // U+2039, for '<'

std::string replace_angle(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += kSingleAngle;
    else
      out += c;
  }
  return out;
}

// Prose: no '<' (mentions, links), no backticks (code), mentions defused.
std::string escape_chat(std::string_view raw) {
  std::string out = replace_angle(defuse_mentions(sanitize_utf8(raw)));
  for (char& c : out)
    if (c == '`') c = '\'';
  return out;
}

std::string chat_code_span(std::string_view raw) {
  std::string text = replace_angle(code_text(raw, true));
  return "`" + (text.empty() ? std::string(" ") : text) + "`";
}

std::string chat_code_block(std::string_view raw) { return "```\n" + replace_angle(code_text(raw, false)) + "\n```"; }

// <url|text>: the text may hold neither '|' nor '>'.
std::string chat_link(std::string_view escaped_text, std::string_view url) {
  std::string text;
  for (char c : escaped_text) {
    if (c == '|')
      text += "\xC2\xA6";  // broken bar
    else if (c == '>')
      text += "\xE2\x80\xBA";  // U+203A
    else
      text += c;
  }
  return "<" + std::string(url) + "|" + text + ">";
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace

const MarkdownDialect kGoogleChatText{escape_chat, chat_code_span, chat_code_block, chat_link, "*", ""};

std::string googlechat_thread_key(std::string_view group_key) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bit
  for (char c : group_key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return fmt::format("rr-{:016x}", hash);
}

json render_googlechat(const Report& r, std::size_t max_body) {
  MarkdownLimits limits;
  limits.total = max_body > 1000 ? max_body - 1000 : max_body / 2;
  json body;
  // JSON escaping (quotes, backslashes, newlines) adds to the text: shrink
  // the text until the whole body fits.
  for (int attempt = 0; attempt < 8; ++attempt) {
    body = {{"text", render_markdown_report(r, kGoogleChatText, limits)},
            {"thread", {{"threadKey", googlechat_thread_key(r.group_key)}}}};
    std::size_t size = dump(body).size();
    if (size <= max_body) break;
    std::size_t over = size - max_body + 256;
    limits.total = limits.total > over ? limits.total - over : 0;
  }
  return body;
}

}  // namespace rr
