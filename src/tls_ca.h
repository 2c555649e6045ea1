/*
 * tls_ca.h: where the system's trusted CAs are looked up, for both TLS
 * clients (lws for the gateway, curl for REST).
 *
 * OpenSSL's defaults parse the whole CA bundle file into memory when a
 * client context is made: ~140 certificates, about 0.9 MB of heap each
 * time (lws's context, curl's cached store), for the process's life. A
 * hashed directory (/etc/ssl/certs on Debian, kept by ca-certificates)
 * lets OpenSSL read only the certificate a chain needs, when it needs it.
 */
#ifndef DBOT_SRC_TLS_CA_H
#define DBOT_SRC_TLS_CA_H

/* The hashed CA directory: $SSL_CERT_DIR if set, else OpenSSL's default
 * (X509_get_default_cert_dir()); NULL when it is not a directory, and the
 * caller should fall back to the bundle file. Any thread; the result is
 * borrowed (environment or static storage). */
const char *dbot__tls_ca_dir(void);

#endif
