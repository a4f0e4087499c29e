#pragma once
// Test certificates, made by Debian's `openssl` command-line tool in a
// temporary directory: CAs, server certificates for 127.0.0.1 (subjectAltName
// IP:127.0.0.1) and client certificates, each with a chosen serial and CN.

#include <filesystem>
#include <string>

#include "support/process.h"

namespace rr::test {

class TestPki {
 public:
  struct Pair {
    std::filesystem::path cert, key;
  };

  TestPki();  // throws when `openssl` is missing or fails
  const std::filesystem::path& dir() const { return dir_.path(); }

  // A self-signed CA named `name` (its files: NAME.pem, NAME.key).
  std::filesystem::path ca(const std::string& name);
  // A certificate for 127.0.0.1 (server) or a client, signed by the CA
  // `ca_name` made before; `serial` in hex, e.g. "1001"; `name` is its CN and
  // the base of its files.
  Pair server(const std::string& name, const std::string& ca_name, const std::string& serial);
  Pair client(const std::string& name, const std::string& ca_name, const std::string& serial);

  // "serial=1001" and "subject=CN = NAME" lines of the certificate that
  // 127.0.0.1:port serves (openssl s_client); its output on failure.
  static std::string served_certificate(int port);

 private:
  Pair leaf(const std::string& name, const std::string& ca_name, const std::string& serial, const std::string& ext);
  void openssl(const std::vector<std::string>& args);
  TempDir dir_;
};

}  // namespace rr::test
