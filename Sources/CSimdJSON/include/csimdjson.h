#ifndef CSIMDJSON_H
#define CSIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A parsed JSON document: simdjson's DOM tape and string buffer.
typedef struct csj_document csj_document;

/// Bytes that must be readable (any value) after the end of the input passed to `csj_parse`.
size_t csj_padding(void);

/// Parses `len` bytes at `buf` (which must have `csj_padding()` readable bytes after it).
/// Returns NULL on failure and writes a NUL-terminated message into `error` (at most `error_len` bytes).
/// The input buffer may be released as soon as this returns: the document copies every string.
csj_document *csj_parse(const uint8_t *buf, size_t len, size_t max_depth, char *error, size_t error_len);

/// The tape: 64-bit words, the high byte a type character, the low 56 bits a payload
/// (see simdjson's doc/tape.md). Word 0 is the root; the root value starts at word 1.
const uint64_t *csj_tape(const csj_document *doc);

/// The string buffer: at each string's offset, a 32-bit little-endian length, the bytes, a NUL.
const uint8_t *csj_strings(const csj_document *doc);

void csj_free(csj_document *doc);

#ifdef __cplusplus
}
#endif

#endif
