#include "common/text.h"

#include <catch2/catch.hpp>

namespace rr {
namespace {

TEST_CASE("log_safe cannot forge a log line and keeps text readable") {
  CHECK(log_safe("group {a=\"b\"}") == "group {a=\"b\"}");
  CHECK(log_safe("x\n2026-12-01 [error] forged") == "x\\n2026-12-01 [error] forged");
  CHECK(log_safe("tab\there\r\x1b[31m") == "tab\\there\\x0d\\x1b[31m");
  CHECK(log_safe("bad \xff\xfe utf8").find('\xff') == std::string::npos);
  CHECK(log_safe(std::string(500, 'a'), 20).size() <= 20);
}

}  // namespace
}  // namespace rr

TEST_CASE("join puts the separator between items only") {
  CHECK(rr::join({}) == "");
  CHECK(rr::join({"a"}) == "a");
  CHECK(rr::join({"a", "", "c"}) == "a, , c");
  CHECK(rr::join({"x", "y"}, "; ") == "x; y");
}
