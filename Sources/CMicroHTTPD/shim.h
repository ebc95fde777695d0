#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <microhttpd.h>

/* MHD_start_daemon takes its options as varargs: Swift cannot call it, so one fixed call here. */
typedef enum MHD_Result (*custody_mhd_handler)(void *context, struct MHD_Connection *connection, const char *url,
                                               const char *method, const char *version, const char *upload_data,
                                               size_t *upload_data_size, void **request);
typedef void (*custody_mhd_completed)(void *context, struct MHD_Connection *connection, void **request,
                                      enum MHD_RequestTerminationCode code);

/* Listens on host:port (an IPv4 address; port 0: any free one) with a pool of `threads` threads,
   dropping connections idle for `timeout` seconds and giving each at most `memory` bytes. */
static inline struct MHD_Daemon *custody_mhd_start(const char *host, uint16_t port, unsigned int threads,
                                                   unsigned int timeout, size_t memory, unsigned int per_ip,
                                                   custody_mhd_handler handler, custody_mhd_completed completed,
                                                   void *context) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return NULL;
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, port, NULL, NULL, handler, context,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_END);
}

/* As custody_mhd_start, serving TLS (libmicrohttpd's GnuTLS) with the PEM key and certificate given
   as text; NULL when TLS is not built in or the key and certificate are not accepted. */
static inline struct MHD_Daemon *custody_mhd_start_tls(const char *host, uint16_t port, unsigned int threads,
                                                       unsigned int timeout, size_t memory, unsigned int per_ip,
                                                       custody_mhd_handler handler, custody_mhd_completed completed,
                                                       void *context, const char *key, const char *certificate) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof(address));
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return NULL;
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) return NULL;
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS, port, NULL, NULL, handler,
                            context, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&address,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, timeout,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, context,
                            MHD_OPTION_HTTPS_MEM_KEY, key,
                            MHD_OPTION_HTTPS_MEM_CERT, certificate,
                            MHD_OPTION_END);
}

/* The port the daemon listens on (the one chosen for port 0). */
static inline uint16_t custody_mhd_port(struct MHD_Daemon *daemon) {
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info == NULL ? 0 : info->port;
}

/* A response holding its own copy of `data`. */
static inline struct MHD_Response *custody_mhd_copied_response(size_t size, const void *data) {
    return MHD_create_response_from_buffer(size, (void *)data, MHD_RESPMEM_MUST_COPY);
}

/* A response whose body `reader` produces as it is sent (chunked, size unknown), in blocks of at
   most `block` bytes; `release` is called once when libmicrohttpd is done with it. */
typedef ssize_t (*custody_mhd_reader)(void *context, uint64_t position, char *buffer, size_t max);
typedef void (*custody_mhd_release)(void *context);
static inline struct MHD_Response *custody_mhd_streamed_response(size_t block, custody_mhd_reader reader,
                                                                 void *context, custody_mhd_release release) {
    return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, block, reader, context, release);
}
