/*
 * tls_ca.c: the hashed CA directory both TLS clients use (tls_ca.h).
 */
#include "tls_ca.h"

#include <openssl/x509.h>
#include <stdlib.h>
#include <sys/stat.h>

const char *
dbot__tls_ca_dir(void)
{
    const char *dir = getenv(X509_get_default_cert_dir_env());
    struct stat st;

    if (!dir || !*dir)
        dir = X509_get_default_cert_dir();
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? dir : NULL;
}
