#include "intake/http/auth.h"

#include <catch2/catch.hpp>


using namespace rr;

TEST_CASE("base64 decoding is strict") {
  CHECK(decode_base64("") == "");
  CHECK(decode_base64("YWxlcnRtYW5hZ2VyOnB3") == "alertmanager:pw");
  CHECK(decode_base64("YQ==") == "a");
  CHECK(decode_base64("YQ") == "a");
  CHECK(decode_base64("YWI=") == "ab");
  CHECK(decode_base64("/+8=") == "\xff\xef");
  for (const char* bad : {"Y", "YQ=", "YQ===", "Y Q==", "YQ==YQ==", "!!!!", "YWI-"}) {
    INFO(bad);
    CHECK_FALSE(decode_base64(bad));
  }
}

TEST_CASE("Authorization headers") {
  AuthConfig none;
  CHECK(authorized(none, ""));
  CHECK(authorized(none, "Bearer anything"));

  AuthConfig bearer;
  bearer.bearer_token = "tok";
  CHECK(authorized(bearer, "Bearer tok"));
  CHECK(authorized(bearer, "bearer tok"));
  CHECK(authorized(bearer, "  Bearer   tok  "));
  CHECK_FALSE(authorized(bearer, ""));
  CHECK_FALSE(authorized(bearer, "Bearer"));
  CHECK_FALSE(authorized(bearer, "Bearer "));
  CHECK_FALSE(authorized(bearer, "Bearer to"));
  CHECK_FALSE(authorized(bearer, "Bearer tokk"));
  CHECK_FALSE(authorized(bearer, "Basic dG9rOnRvaw=="));  // tok:tok, but basic is not configured
  CHECK_FALSE(authorized(bearer, "Token tok"));
  CHECK(auth_challenges(bearer) == std::vector<std::string>{"Bearer realm=\"runbook-responder\""});

  AuthConfig basic;
  basic.basic_username = "am";
  basic.basic_password = "p:w";
  CHECK(authorized(basic, "Basic YW06cDp3"));        // am:p:w (password may hold a colon)
  CHECK_FALSE(authorized(basic, "Basic YW06cDp4"));  // am:p:x
  CHECK_FALSE(authorized(basic, "Basic YW0="));      // am, no colon
  CHECK_FALSE(authorized(basic, "Basic ***"));
  CHECK_FALSE(authorized(basic, "Bearer p:w"));
  REQUIRE(auth_challenges(basic).size() == 1);
  CHECK(auth_challenges(basic)[0].rfind("Basic ", 0) == 0);

  AuthConfig no_password;
  no_password.basic_username = "am";
  CHECK(authorized(no_password, "Basic YW06"));  // am:
  CHECK_FALSE(authorized(no_password, "Basic YW06eA=="));

  AuthConfig both = basic;
  both.bearer_token = "tok";
  CHECK(authorized(both, "Bearer tok"));
  CHECK(authorized(both, "Basic YW06cDp3"));
  CHECK(auth_challenges(both).size() == 2);
}
