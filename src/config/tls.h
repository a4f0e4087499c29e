#pragma once
// Loading the listener's certificate, key and client CA into an OpenSSL
// SSL_CTX: at configuration check time (to prove they load and match) and by
// the HTTPS server, at start and on every SIGHUP.

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "common/result.h"
#include "config/listener.h"

namespace rr {

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;

// A server context: TLS 1.2 minimum, no compression or renegotiation, no
// session resumption (so a reloaded certificate or CA holds for every new
// connection), the certificate chain and the key (checked to match), and
// with a client CA, SSL_VERIFY_PEER against it. A connection that presents
// no certificate still completes the handshake (the probes must work); the
// server refuses it per route (tls_client_verified()). One that presents a
// certificate the CA does not verify fails the handshake.
//
// Errors: `where` is the key at fault ("cert_file", "key_file",
// "client_ca_file"), the message names the file and OpenSSL's reason.
Result<SslCtxPtr> make_server_tls_context(const TlsConfig& tls);

// Applies the protocol settings above (minimum version, options, no
// resumption) to `ctx`; make_server_tls_context() calls it too.
void apply_server_tls_settings(SSL_CTX* ctx);

// "subject CN=..., serial 1A2B, expires 2027-01-01 00:00:00 UTC" for the
// certificate `ctx` serves; "" if none.
std::string describe_server_certificate(SSL_CTX* ctx);

// True when the connection `ssl` presented a certificate and it verified.
bool tls_client_verified(const SSL* ssl);

}  // namespace rr
