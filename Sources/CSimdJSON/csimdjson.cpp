#include "csimdjson.h"

#include <simdjson.h>

#include <cstring>
#include <new>

struct csj_document {
    simdjson::dom::document doc;
};

extern "C" size_t csj_padding(void) { return simdjson::SIMDJSON_PADDING; }

static void write_error(char *error, size_t error_len, const char *message) {
    if (error == nullptr || error_len == 0) return;
    std::strncpy(error, message, error_len - 1);
    error[error_len - 1] = '\0';
}

extern "C" csj_document *csj_parse(const uint8_t *buf, size_t len, size_t max_depth, char *error, size_t error_len) {
    csj_document *result = new (std::nothrow) csj_document();
    if (result == nullptr) {
        write_error(error, error_len, "out of memory");
        return nullptr;
    }
    // A parser per call: its structural index is freed as soon as parsing ends,
    // so only the document (tape and strings) stays resident while the caller walks it.
    simdjson::dom::parser parser(len < 64 ? 64 : len);
    if (max_depth > 0) {
        auto err = parser.allocate(len < 64 ? 64 : len, max_depth);
        if (err) {
            write_error(error, error_len, simdjson::error_message(err));
            delete result;
            return nullptr;
        }
    }
    auto parsed = parser.parse_into_document(result->doc, buf, len, false);
    if (parsed.error()) {
        write_error(error, error_len, simdjson::error_message(parsed.error()));
        delete result;
        return nullptr;
    }
    return result;
}

extern "C" const uint64_t *csj_tape(const csj_document *doc) { return doc->doc.tape.get(); }

extern "C" const uint8_t *csj_strings(const csj_document *doc) { return doc->doc.string_buf.get(); }

extern "C" void csj_free(csj_document *doc) { delete doc; }
