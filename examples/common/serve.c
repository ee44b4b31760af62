/*
 * serve.c - a libmicrohttpd daemon with a whole-request deadline (serve.h).
 *
 * The deadline: libmicrohttpd tells us when a connection opens and closes
 * (MHD_OPTION_NOTIFY_CONNECTION) and when a request ends
 * (MHD_OPTION_NOTIFY_COMPLETED). Each open connection is on a list with the
 * time its current request began (its start, or the previous answer). The
 * main thread wakes every SWEEP_MS and calls shutdown() on the socket of
 * every connection past the deadline; libmicrohttpd then sees the socket
 * end and closes the connection in its own thread. libmicrohttpd reports a
 * connection closed before it closes the socket, and the entry leaves the
 * list under the same lock the sweep holds, so the sweep never touches a
 * descriptor that has been closed (and perhaps reused).
 */
#define _POSIX_C_SOURCE 200809L

#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define SWEEP_MS 100

struct tracked {
    int fd;
    bool shut;
    uint64_t since_ms;
    struct tracked *prev, *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct tracked open_list; /* a ring; open_list itself is the head */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void serve_defaults(serve_config *cfg, const char *name)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->name = name;
    cfg->addr = "127.0.0.1";
    cfg->threads = 4;
    cfg->idle_timeout_s = 10;
    cfg->deadline_ms = 10000;
    cfg->memory_limit = 32 * 1024;
    cfg->max_connections = 1024;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long min,
                       unsigned *out)
{
    char *end;
    unsigned long v;
    if (s[0] < '0' || s[0] > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max || v < min)
        return false;
    *out = (unsigned)v;
    return true;
}

int serve_option(serve_config *cfg, const char *flag, const char *value)
{
    struct in_addr a;
    if (strcmp(flag, "-a") == 0) {
        if (inet_pton(AF_INET, value, &a) != 1)
            return -1;
        cfg->addr = value;
    } else if (strcmp(flag, "-p") == 0) {
        if (!parse_uint(value, 65535, 0, &cfg->port))
            return -1;
    } else if (strcmp(flag, "-P") == 0) {
        cfg->port_file = value;
    } else if (strcmp(flag, "-j") == 0) {
        if (!parse_uint(value, 64, 1, &cfg->threads))
            return -1;
    } else if (strcmp(flag, "-T") == 0) {
        if (!parse_uint(value, 3600000, 100, &cfg->deadline_ms))
            return -1;
    } else {
        return 0;
    }
    return 1;
}

static void on_connection(void *cls, struct MHD_Connection *conn,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct tracked *t;
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        t = calloc(1, sizeof *t);
        *socket_context = t;
        if (t == NULL || info == NULL) {
            /* Untracked: the idle timeout still applies. Not expected. */
            free(t);
            *socket_context = NULL;
            return;
        }
        t->fd = info->connect_fd;
        t->since_ms = now_ms();
        pthread_mutex_lock(&lock);
        t->next = open_list.next;
        t->prev = &open_list;
        open_list.next->prev = t;
        open_list.next = t;
        pthread_mutex_unlock(&lock);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        t = *socket_context;
        if (t == NULL)
            return;
        pthread_mutex_lock(&lock);
        t->prev->next = t->next;
        t->next->prev = t->prev;
        pthread_mutex_unlock(&lock);
        free(t);
        *socket_context = NULL;
    }
}

static void on_completed(void *cls, struct MHD_Connection *conn,
                         void **req_cls, enum MHD_RequestTerminationCode why)
{
    const serve_config *cfg = cls;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info != NULL && info->socket_context != NULL) {
        struct tracked *t = info->socket_context;
        pthread_mutex_lock(&lock);
        t->since_ms = now_ms(); /* the next request's deadline starts now */
        pthread_mutex_unlock(&lock);
    }
    if (cfg->completed != NULL)
        cfg->completed(cfg->completed_cls, conn, req_cls, why);
}

static unsigned sweep(unsigned deadline_ms)
{
    uint64_t now = now_ms();
    unsigned n = 0;
    struct tracked *t;
    pthread_mutex_lock(&lock);
    for (t = open_list.next; t != &open_list; t = t->next)
        if (!t->shut && now - t->since_ms > deadline_ms) {
            shutdown(t->fd, SHUT_RDWR);
            t->shut = true;
            n++;
        }
    pthread_mutex_unlock(&lock);
    return n;
}

static bool write_port_file(const char *path, unsigned port)
{
    /* Written whole under another name, then renamed: a reader polling for
     * the file never sees half of it. */
    char tmp[4096];
    FILE *f;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return false;
    f = fopen(tmp, "w");
    if (f == NULL)
        return false;
    if (fprintf(f, "%u\n", port) < 0) {
        fclose(f);
        return false;
    }
    return fclose(f) == 0 && rename(tmp, path) == 0;
}

int serve_run(const serve_config *cfg)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    struct timespec tick = {0, SWEEP_MS * 1000000L};
    unsigned port;

    open_list.next = open_list.prev = &open_list;
    /* Blocked here, before libmicrohttpd starts its threads, so that they
     * inherit the mask and only this thread takes the signals. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sigdelset(&set, SIGPIPE);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)cfg->port);
    if (inet_pton(AF_INET, cfg->addr, &sa.sin_addr) != 1) {
        fprintf(stderr, "%s: bad address %s\n", cfg->name, cfg->addr);
        return 1;
    }
    d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL,
        cfg->handler, cfg->handler_cls,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->memory_limit,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 256u,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)cfg,
        MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "%s: cannot listen on %s:%u\n", cfg->name, cfg->addr,
                cfg->port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    port = info != NULL ? info->port : 0;
    fprintf(stderr, "%s: listening on %s:%u (%u threads, %u s idle, %u ms "
                    "deadline)\n",
            cfg->name, cfg->addr, port, cfg->threads, cfg->idle_timeout_s,
            cfg->deadline_ms);
    if (cfg->port_file != NULL && !write_port_file(cfg->port_file, port)) {
        fprintf(stderr, "%s: cannot write %s\n", cfg->name, cfg->port_file);
        MHD_stop_daemon(d);
        return 1;
    }
    for (;;) {
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig < 0 && errno != EAGAIN && errno != EINTR) {
            fprintf(stderr, "%s: sigtimedwait: %s\n", cfg->name,
                    strerror(errno));
            break;
        }
        {
            unsigned n = sweep(cfg->deadline_ms);
            if (n > 0)
                fprintf(stderr, "%s: closed %u connection%s past the "
                                "%u ms deadline\n",
                        cfg->name, n, n == 1 ? "" : "s", cfg->deadline_ms);
        }
    }
    MHD_stop_daemon(d);
    return 0;
}

enum MHD_Result serve_respond(struct MHD_Connection *conn, unsigned status,
                              const char *type, const char *body,
                              size_t len, const char *const *extra)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)(uintptr_t)(body != NULL ? body : ""),
        MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok;
    if (r == NULL)
        return MHD_NO; /* libmicrohttpd closes the connection */
    if (type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    for (; extra != NULL && extra[0] != NULL && extra[1] != NULL; extra += 2)
        MHD_add_response_header(r, extra[0], extra[1]);
    ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}
