// The `tls` and `rate_limit` keys: defaults, values, and errors at their line.

#include <catch2/catch.hpp>

#include "config/config.h"
#include "config/tls.h"
#include "support/certs.h"
#include "support/process.h"

namespace rr {
namespace {

std::string all_errors(const ConfigLoad& load) {
  std::string out;
  for (const auto& e : load.errors) out += e.to_string() + "\n";
  return out;
}

// Exactly one error, at `line` of `file`, containing `text`.
void expect_one_error(const std::string& yaml, const std::string& file, int line, const std::string& text) {
  ConfigLoad load = load_config_text(yaml, file);
  INFO(yaml);
  INFO(all_errors(load));
  CHECK_FALSE(load.config);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].where == file + ":" + std::to_string(line));
  CHECK(load.errors[0].message.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("rate_limit is on by default, generous, with loopback allowed") {
  ConfigLoad load = load_config_text("notify: []\n", "/x/c.yaml");
  REQUIRE(load.config);
  const WebhookRateLimit& r = load.config->rate_limit;
  CHECK(r.enabled());
  CHECK(r.per_second == 50);
  CHECK(r.burst == 500);
  CHECK(r.allowed(*parse_ip_address("127.0.0.1")));
  CHECK(r.allowed(*parse_ip_address("::1")));
  CHECK_FALSE(r.allowed(*parse_ip_address("10.0.0.1")));
  CHECK_FALSE(load.config->tls.enabled());
}

TEST_CASE("rate_limit values; allow replaces the default") {
  ConfigLoad load = load_config_text(
      "rate_limit: {per_client: 600/m, allow: [\"10.0.0.0/8\", \"fd00::/8\", \"192.0.2.7\"]}\n", "/x/c.yaml");
  INFO(all_errors(load));
  REQUIRE(load.config);
  const WebhookRateLimit& r = load.config->rate_limit;
  CHECK(r.per_second == 10);
  CHECK(r.burst == 100);  // ten seconds' worth unless given
  CHECK(r.rate == "600/m");
  CHECK(r.allow.size() == 3);
  CHECK(r.allowed(*parse_ip_address("10.3.4.5")));
  CHECK(r.allowed(*parse_ip_address("192.0.2.7")));
  CHECK_FALSE(r.allowed(*parse_ip_address("127.0.0.1")));

  load = load_config_text("rate_limit:\n  burst: 7\n  per_client: 1/h\n", "/x/c.yaml");
  REQUIRE(load.config);
  CHECK(load.config->rate_limit.burst == 7);
  CHECK(load.config->rate_limit.per_second == 1.0 / 3600);

  load = load_config_text("rate_limit: {per_client: none}\n", "/x/c.yaml");
  REQUIRE(load.config);
  CHECK_FALSE(load.config->rate_limit.enabled());
}

TEST_CASE("rate_limit errors are reported at their line") {
  expect_one_error("notify: []\nrate_limit: {per_client: 50/d}\n", "/x/c.yaml", 2,
                   "rate_limit.per_client \"50/d\" is not N/s, N/m or N/h");
  expect_one_error("rate_limit:\n  burst: 0\n", "/x/c.yaml", 2, "rate_limit.burst");
  expect_one_error("rate_limit:\n  allow:\n    - 10.0.0.0/8\n    - 10.0.0.1/8\n", "/x/c.yaml", 4,
                   "rate_limit.allow[1] \"10.0.0.1/8\" has address bits set beyond its prefix length");
  expect_one_error("rate_limit:\n  allow: [alertmanager.example]\n", "/x/c.yaml", 2, "is not an IP address");
  expect_one_error("rate_limit: {per_client: 5/s, burstt: 3}\n", "/x/c.yaml", 1, "burstt");
}

TEST_CASE("tls: the files load at check time; errors name the key, the file and the reason") {
  test::TestPki pki;
  pki.ca("ca-one");
  pki.ca("ca-two");
  auto server = pki.server("responder-1", "ca-one", "1001");
  auto other = pki.server("responder-2", "ca-one", "1002");
  const std::string dir = pki.dir().string();
  const std::string file = dir + "/c.yaml";

  SECTION("a good certificate and key, paths relative to the file") {
    ConfigLoad load = load_config_text("tls:\n  cert_file: responder-1.pem\n  key_file: responder-1.key\n", file);
    INFO(all_errors(load));
    REQUIRE(load.config);
    CHECK(load.config->tls.cert_file == server.cert.string());
    CHECK(load.config->tls.key_file == server.key.string());
    CHECK_FALSE(load.config->tls.requires_client_cert());
    auto ctx = make_server_tls_context(load.config->tls);
    REQUIRE(ctx);
    const std::string described = describe_server_certificate(ctx->get());
    CHECK(described.find("CN = responder-1") != std::string::npos);
    CHECK(described.find("serial 1001") != std::string::npos);
  }
  SECTION("a key of another certificate") {
    expect_one_error("tls:\n  cert_file: responder-1.pem\n  key_file: responder-2.key\n", file, 3,
                     "tls.key_file " + other.key.string() + ": does not match the certificate in " +
                         server.cert.string());
  }
  SECTION("a missing file") {
    expect_one_error("tls:\n  cert_file: nope.pem\n  key_file: responder-1.key\n", file, 2,
                     "tls.cert_file " + dir + "/nope.pem: ");
  }
  SECTION("a broken key") {
    test::write_file(pki.dir() / "broken.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    expect_one_error("tls:\n  cert_file: responder-1.pem\n  key_file: broken.key\n", file, 3,
                     "not an unencrypted PEM private key");
  }
  SECTION("a certificate file holding a key") {
    expect_one_error("tls:\n  cert_file: responder-1.key\n  key_file: responder-1.key\n", file, 2,
                     "no PEM certificate in it");
  }
  SECTION("a client CA file without a certificate") {
    test::write_file(pki.dir() / "empty.pem", "\n");
    expect_one_error("tls:\n  cert_file: responder-1.pem\n  key_file: responder-1.key\n  client_ca_file: empty.pem\n",
                     file, 4, "tls.client_ca_file " + dir + "/empty.pem: no PEM certificate in it");
  }
  SECTION("a missing key") {
    expect_one_error("tls: {cert_file: responder-1.pem}\n", file, 1, "key_file");
  }
  SECTION("required client certificates count as authentication beyond loopback; TLS alone does not") {
    ConfigLoad load = load_config_text(
        "listen: \"0.0.0.0:9443\"\n"
        "tls: {cert_file: responder-1.pem, key_file: responder-1.key, client_ca_file: ca-two.pem}\n",
        file);
    INFO(all_errors(load));
    REQUIRE(load.config);
    CHECK(load.config->tls.requires_client_cert());
    CHECK(load.config->tls.client_ca_file == dir + "/ca-two.pem");
    CHECK(make_server_tls_context(load.config->tls));
    expect_one_error("listen: \"0.0.0.0:9443\"\ntls: {cert_file: responder-1.pem, key_file: responder-1.key}\n", file,
                     1, "auth is required when listen is not a loopback address");
  }
}

}  // namespace rr
