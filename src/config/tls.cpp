#include "config/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/file.h"

namespace rr {

namespace {

constexpr std::size_t kMaxPemBytes = 1u << 20;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// OpenSSL's reasons for the last failure, oldest first; the queue is emptied.
std::string openssl_reason() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(e);
    std::string text = reason ? reason : "error " + std::to_string(ERR_GET_REASON(e));
    if (out.find(text) != std::string::npos) continue;
    if (!out.empty()) out += "; ";
    out += text;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

// A key is never asked a passphrase for (the default would prompt on the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Every certificate of a PEM file, in order.
std::vector<X509Ptr> read_certificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio = memory_bio(pem);
  if (!bio) return out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the end of the file reads as an error
  return out;
}

Result<std::string> read_pem(const std::string& key, const std::string& path) {
  auto text = read_text_file(path, kMaxPemBytes);
  if (!text) return Error{"tls." + key, path + ": " + text.error().message};
  return std::move(*text);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 && data ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

void apply_server_tls_settings(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_TICKET);
  // No resumption: every connection does a full handshake against the
  // certificate and CA of its moment (a reload applies at once), and a
  // verified client certificate is never carried over from an old session.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx, 0);
  static const unsigned char kSessionContext[] = "runbook-responder";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
}

Result<SslCtxPtr> make_server_tls_context(const TlsConfig& tls) {
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Error{"tls", "cannot create a TLS context: " + openssl_reason()};
  apply_server_tls_settings(ctx.get());

  auto cert_pem = read_pem("cert_file", tls.cert_file);
  if (!cert_pem) return cert_pem.error();
  std::vector<X509Ptr> chain = read_certificates(*cert_pem);
  if (chain.empty()) return Error{"tls.cert_file", tls.cert_file + ": no PEM certificate in it"};
  if (SSL_CTX_use_certificate(ctx.get(), chain.front().get()) != 1)
    return Error{"tls.cert_file", tls.cert_file + ": cannot use the certificate: " + openssl_reason()};
  for (std::size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), chain[i].get()) != 1)
      return Error{"tls.cert_file", tls.cert_file + ": cannot use intermediate certificate " + std::to_string(i + 1) +
                                        ": " + openssl_reason()};
  }

  auto key_pem = read_pem("key_file", tls.key_file);
  if (!key_pem) return key_pem.error();
  PkeyPtr key;
  if (BioPtr bio = memory_bio(*key_pem))
    key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key)
    return Error{"tls.key_file", tls.key_file + ": not an unencrypted PEM private key (" + openssl_reason() + ")"};
  // Checks the key against the certificate too.
  if (SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    return Error{"tls.key_file", tls.key_file + ": does not match the certificate in " + tls.cert_file};
  }

  if (tls.requires_client_cert()) {
    auto ca_pem = read_pem("client_ca_file", tls.client_ca_file);
    if (!ca_pem) return ca_pem.error();
    std::vector<X509Ptr> cas = read_certificates(*ca_pem);
    if (cas.empty()) return Error{"tls.client_ca_file", tls.client_ca_file + ": no PEM certificate in it"};
    X509_STORE* store = SSL_CTX_get_cert_store(ctx.get());
    for (const X509Ptr& ca : cas) {
      // Both copy: `cas` still frees its own.
      if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx.get(), ca.get()) != 1)
        return Error{"tls.client_ca_file", tls.client_ca_file + ": cannot use a CA certificate: " + openssl_reason()};
    }
    // No SSL_VERIFY_FAIL_IF_NO_PEER_CERT: see tls.h.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

std::string describe_server_certificate(SSL_CTX* ctx) {
  X509* cert = ctx ? SSL_CTX_get0_certificate(ctx) : nullptr;
  if (!cert) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return "";
  BIO_puts(bio.get(), "subject ");
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_ONELINE);
  BIO_puts(bio.get(), ", serial ");
  i2a_ASN1_INTEGER(bio.get(), X509_get0_serialNumber(cert));
  BIO_puts(bio.get(), ", expires ");
  ASN1_TIME_print(bio.get(), X509_get0_notAfter(cert));
  ERR_clear_error();
  return bio_text(bio.get());
}

bool tls_client_verified(const SSL* ssl) {
  return ssl && SSL_get0_peer_certificate(ssl) != nullptr && SSL_get_verify_result(ssl) == X509_V_OK;
}

}  // namespace rr
