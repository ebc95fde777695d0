#include "csimdjson.h"

#include <simdjson.h>

#include <cstring>
#include <new>
#include <string_view>

using namespace simdjson;

struct csj_parser {
    dom::parser parser;
    dom::document document;
};

extern "C" size_t csj_padding(void) { return SIMDJSON_PADDING; }

static int fail(char *error, size_t error_len, const char *message) {
    if (error != nullptr && error_len > 0) {
        std::strncpy(error, message, error_len - 1);
        error[error_len - 1] = '\0';
    }
    return 1;
}

extern "C" csj_parser *csj_parser_new(size_t max_depth) {
    csj_parser *result = new (std::nothrow) csj_parser();
    if (result == nullptr) return nullptr;
    if (max_depth > 0 && result->parser.allocate(4096, max_depth) != SUCCESS) {
        delete result;
        return nullptr;
    }
    return result;
}

extern "C" void csj_parser_free(csj_parser *parser) { delete parser; }

extern "C" int csj_parser_parse(csj_parser *parser, const uint8_t *buf, size_t len, char *error, size_t error_len) {
    auto parsed = parser->parser.parse_into_document(parser->document, buf, len, false);
    if (parsed.error()) return fail(error, error_len, error_message(parsed.error()));
    return 0;
}

extern "C" const uint64_t *csj_parser_tape(const csj_parser *parser) { return parser->document.tape.get(); }

extern "C" const uint8_t *csj_parser_strings(const csj_parser *parser) { return parser->document.string_buf.get(); }

/// The raw bytes of an On-Demand value, whatever its type.
static simdjson_result<std::string_view> raw_range(ondemand::value value) {
    ondemand::json_type type;
    auto error = value.type().get(type);
    if (error) return error;
    switch (type) {
    case ondemand::json_type::object: {
        ondemand::object object;
        if ((error = value.get_object().get(object))) return error;
        return object.raw_json();
    }
    case ondemand::json_type::array: {
        ondemand::array array;
        if ((error = value.get_array().get(array))) return error;
        return array.raw_json();
    }
    default:
        return value.raw_json_token();
    }
}

/// Iterates the document at `buf` as a `Container` (object or array) and hands each raw child to
/// `visit`; the shared part of the two outline functions.
template <typename Container, typename Visit>
static int outline(const uint8_t *buf, size_t len, size_t capacity, char *error, size_t error_len, Visit visit) {
    ondemand::parser parser;
    ondemand::document document;
    auto err = parser.iterate(reinterpret_cast<const char *>(buf), len, capacity).get(document);
    if (err) return fail(error, error_len, error_message(err));
    Container container;
    if ((err = document.get(container))) return fail(error, error_len, error_message(err));
    for (auto child : container) {
        if ((err = visit(child))) return fail(error, error_len, error_message(err));
    }
    return 0;
}

static size_t offset_in(const uint8_t *buf, std::string_view raw) {
    return size_t(reinterpret_cast<const uint8_t *>(raw.data()) - buf);
}

extern "C" int csj_outline_object(const uint8_t *buf, size_t len, size_t capacity, void *context, csj_member_fn member,
                                  char *error, size_t error_len) {
    return outline<ondemand::object>(buf, len, capacity, error, error_len, [&](auto field) -> error_code {
        std::string_view key;
        ondemand::value value;
        std::string_view raw;
        error_code err;
        if ((err = field.unescaped_key().get(key))) return err;
        if ((err = field.value().get(value))) return err;
        if ((err = raw_range(value).get(raw))) return err;
        member(context, key.data(), key.size(), offset_in(buf, raw), raw.size());
        return SUCCESS;
    });
}

extern "C" int csj_outline_array(const uint8_t *buf, size_t len, size_t capacity, void *context, csj_element_fn element,
                                 char *error, size_t error_len) {
    return outline<ondemand::array>(buf, len, capacity, error, error_len, [&](auto item) -> error_code {
        ondemand::value value;
        std::string_view raw;
        error_code err;
        if ((err = item.get(value))) return err;
        if ((err = raw_range(value).get(raw))) return err;
        element(context, offset_in(buf, raw), raw.size());
        return SUCCESS;
    });
}
