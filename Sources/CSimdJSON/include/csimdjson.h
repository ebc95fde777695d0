#ifndef CSIMDJSON_H
#define CSIMDJSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes that must be readable (any value) after the end of every input passed here.
size_t csj_padding(void);

/// A DOM parser with one document, both reused from parse to parse.
typedef struct csj_parser csj_parser;

csj_parser *csj_parser_new(size_t max_depth);
void csj_parser_free(csj_parser *parser);

/// Parses `len` bytes at `buf` into the parser's document (the previous one is overwritten).
/// Returns 0, or non-zero with a NUL-terminated message in `error`.
int csj_parser_parse(csj_parser *parser, const uint8_t *buf, size_t len, char *error, size_t error_len);

/// The document's tape: 64-bit words, the high byte a type character, the low 56 bits a payload
/// (simdjson's doc/tape.md). Word 0 is the root marker; the value starts at word 1.
const uint64_t *csj_parser_tape(const csj_parser *parser);

/// The document's strings: at each string's offset, a 32-bit little-endian length, the bytes, a NUL.
const uint8_t *csj_parser_strings(const csj_parser *parser);

/// Called for each member of an outlined object: its (unescaped) key and the value's byte range.
typedef void (*csj_member_fn)(void *context, const char *key, size_t key_len, size_t offset, size_t length);
/// Called for each element of an outlined array with the element's byte range.
typedef void (*csj_element_fn)(void *context, size_t offset, size_t length);

/// Lists the members of the object at `buf` without building a DOM (simdjson On-Demand): only
/// the structure is indexed, so the memory needed is a fraction of the input's size.
/// Offsets are relative to `buf`. Returns 0, or non-zero with a message in `error`.
int csj_outline_object(const uint8_t *buf, size_t len, size_t capacity, void *context, csj_member_fn member,
                       char *error, size_t error_len);

/// Lists the elements of the array at `buf`, as `csj_outline_object` does for members.
int csj_outline_array(const uint8_t *buf, size_t len, size_t capacity, void *context, csj_element_fn element,
                      char *error, size_t error_len);

#ifdef __cplusplus
}
#endif

#endif
