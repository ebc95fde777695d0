#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic: Swift needs one function per argument type. */
static inline CURLcode custody_curl_set_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode custody_curl_set_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode custody_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode custody_curl_set_slist(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}
typedef size_t (*custody_curl_io)(char *buffer, size_t size, size_t count, void *context);
static inline CURLcode custody_curl_set_io(CURL *curl, CURLoption option, custody_curl_io value) {
    return curl_easy_setopt(curl, option, value);
}
static inline CURLcode custody_curl_response_code(CURL *curl, long *code) {
    return curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, code);
}
