#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

/* BIO_get_mem_data is a macro; Swift needs a function. */
static inline long custody_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
