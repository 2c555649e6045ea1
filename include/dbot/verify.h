/*
 * dbot/verify.h: checking Discord's signature on interactions received over
 * HTTP (an "Interactions Endpoint URL" instead of the gateway).
 *
 * Discord signs every POST to the endpoint with the application's Ed25519
 * key. The signed message is the X-Signature-Timestamp header's bytes
 * followed by the request body's bytes EXACTLY AS RECEIVED: verify before
 * parsing, and never over JSON you parsed and printed again (whitespace and
 * key order change, and the signature no longer matches). Answer 401 when
 * verification fails or a header is missing: Discord sends bad signatures
 * on purpose now and then and removes endpoints that accept them.
 *
 *     rc = dbot_verify_signature(app_public_key_hex,
 *                                header("X-Signature-Timestamp"),
 *                                raw_body, raw_body_len,
 *                                header("X-Signature-Ed25519"));
 *     if (rc < 0)
 *         reply 401;
 *
 * THREAD. Everything here touches no bot state and may be called from any
 * thread, concurrently, with or without a bot. A dbot_verifier may be
 * shared between threads once made; only its _free must come after every
 * other use.
 *
 * ERRORS are returned, never logged: the inputs come from the network, and
 * an attacker should not be able to fill the log.
 */
#ifndef DBOT_VERIFY_H
#define DBOT_VERIFY_H

#include <dbot/dbot.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Name: dbot_verify_signature
 * Desc: check signature_hex (X-Signature-Ed25519: 128 hex digits, either
 *       case) over timestamp || body with public_key_hex (the portal's
 *       "Public Key": 64 hex digits). body may be NULL when body_len is 0.
 *       Parses the key on each call; see dbot_verifier for a key kept
 *       parsed.
 * Returns: 0 if the signature is valid; DBOT_EBADSIG if it is not;
 *       DBOT_EINVAL for a NULL or empty key, timestamp or signature, hex of
 *       the wrong length or with a non-hex digit, or NULL body with
 *       body_len > 0; DBOT_ENOMEM; DBOT_EIO if OpenSSL fails otherwise. */
DBOT_API int dbot_verify_signature(const char *public_key_hex,
                                   const char *timestamp, const void *body,
                                   size_t body_len, const char *signature_hex);

/* A public key parsed once, for endpoints that verify many requests. */
typedef struct dbot_verifier dbot_verifier;

/* Name: dbot_verifier_new
 * Desc: parse public_key_hex (64 hex digits) into *out.
 * Returns: 0, DBOT_EINVAL (bad hex or length, NULL), DBOT_ENOMEM, DBOT_EIO.
 *       *out is NULL on failure. */
DBOT_API int dbot_verifier_new(dbot_verifier **out, const char *public_key_hex);

/* Name: dbot_verifier_check
 * Desc: dbot_verify_signature with v's key.
 * Returns: as dbot_verify_signature (DBOT_EINVAL also for v NULL). */
DBOT_API int dbot_verifier_check(const dbot_verifier *v, const char *timestamp,
                                 const void *body, size_t body_len,
                                 const char *signature_hex);

/* Name: dbot_verifier_free
 * Desc: free v (NULL is a no-op), after every other use of it on every
 *       thread.
 * Returns: nothing. */
DBOT_API void dbot_verifier_free(dbot_verifier *v);

#ifdef __cplusplus
}
#endif
#endif /* DBOT_VERIFY_H */
