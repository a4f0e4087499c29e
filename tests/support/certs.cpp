#include "support/certs.h"

#include <stdexcept>

namespace rr::test {

TestPki::TestPki() {
  auto version = run({"openssl", "version"}, std::chrono::seconds(10));
  if (version.exit_code != 0) throw std::runtime_error("openssl is needed (scripts/setup): " + version.output);
}

void TestPki::openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run(argv, std::chrono::seconds(30));
  if (r.exit_code != 0) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    throw std::runtime_error("failed: " + line + "\n" + r.output);
  }
}

std::filesystem::path TestPki::ca(const std::string& name) {
  const auto pem = dir() / (name + ".pem");
  // P-256 keys: quick to make, and as good a test as RSA.
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           (dir() / (name + ".key")).string(), "-out", pem.string(), "-days", "2", "-subj", "/CN=" + name, "-addext",
           "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"});
  return pem;
}

TestPki::Pair TestPki::leaf(const std::string& name, const std::string& ca_name, const std::string& serial,
                            const std::string& ext) {
  Pair p{dir() / (name + ".pem"), dir() / (name + ".key")};
  const auto csr = dir() / (name + ".csr");
  const auto ext_file = dir() / (name + ".ext");
  write_file(ext_file, ext);
  openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           p.key.string(), "-out", csr.string(), "-subj", "/CN=" + name});
  openssl({"x509", "-req", "-in", csr.string(), "-CA", (dir() / (ca_name + ".pem")).string(), "-CAkey",
           (dir() / (ca_name + ".key")).string(), "-set_serial", "0x" + serial, "-days", "2", "-out", p.cert.string(),
           "-extfile", ext_file.string()});
  return p;
}

TestPki::Pair TestPki::server(const std::string& name, const std::string& ca_name, const std::string& serial) {
  return leaf(name, ca_name, serial,
              "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
              "subjectAltName=IP:127.0.0.1\n");
}

TestPki::Pair TestPki::client(const std::string& name, const std::string& ca_name, const std::string& serial) {
  return leaf(name, ca_name, serial,
              "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n");
}

std::string TestPki::served_certificate(int port) {
  const std::string script = "openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                             " </dev/null 2>/dev/null | openssl x509 -noout -serial -subject";
  return run({"sh", "-c", script}, std::chrono::seconds(30)).output;
}

}  // namespace rr::test
