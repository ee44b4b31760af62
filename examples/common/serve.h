/*
 * serve.h - what the two example servers share: a libmicrohttpd daemon on a
 * thread pool, with the limits a server facing strangers needs, and a
 * whole-request deadline that libmicrohttpd itself does not have.
 *
 *   serve_config cfg;
 *   serve_defaults(&cfg, "my_server");
 *   cfg.handler = my_handler;          (a MHD_AccessHandlerCallback)
 *   return serve_run(&cfg);            (until SIGTERM or SIGINT)
 *
 * Limits (all per connection unless said otherwise):
 *   idle_timeout_s   MHD_OPTION_CONNECTION_TIMEOUT: a connection that
 *                    sends nothing for this long is closed
 *   memory_limit     MHD_OPTION_CONNECTION_MEMORY_LIMIT: the request line
 *                    and headers must fit (else libmicrohttpd answers 431)
 *   deadline_ms      the whole request: counted from the connection's
 *                    start, or from the previous answer on a kept-alive
 *                    connection, to the answer. A client sending a byte a
 *                    second resets the idle timeout forever; the deadline
 *                    still closes it. Enforced by the main thread, which
 *                    sweeps the open connections every SWEEP_MS and shuts
 *                    down the sockets of those past it.
 *   max_connections  MHD_OPTION_CONNECTION_LIMIT, for the whole server
 *   threads          MHD_OPTION_THREAD_POOL_SIZE: each thread serves many
 *                    connections (epoll), so a slow client holds a socket
 *                    and a little memory, never a thread
 */
#ifndef SERVE_H
#define SERVE_H

#include <microhttpd.h>

#include <stdbool.h>
#include <stddef.h>

typedef struct serve_config {
    const char *name;      /* for log lines */
    const char *addr;      /* IPv4 address to listen on; "127.0.0.1" */
    unsigned port;         /* 0 (the default) picks a free port */
    const char *port_file; /* the port chosen, written once listening */
    unsigned threads;
    unsigned idle_timeout_s;
    unsigned deadline_ms;
    size_t memory_limit;
    unsigned max_connections;
    MHD_AccessHandlerCallback handler;
    void *handler_cls;
    /* Called when a request ends, answered or not (free its context). */
    MHD_RequestCompletedCallback completed;
    void *completed_cls;
} serve_config;

/* The defaults: 127.0.0.1, a free port, 4 threads, 10 s idle, a 10 s
 * deadline, 32 KiB per connection, 1024 connections. */
void serve_defaults(serve_config *cfg, const char *name);

/* Reads one of the shared command-line options into cfg:
 *   -a ADDR  -p PORT  -P PORTFILE  -j THREADS  -T DEADLINE_MS
 * Returns 1 when `flag` is one of them and `value` is valid, 0 when the
 * flag is not one of them, -1 when the value is invalid. */
int serve_option(serve_config *cfg, const char *flag, const char *value);

/* Serves until SIGTERM or SIGINT, then stops the daemon (waiting for its
 * threads) and returns 0; 1 when the daemon cannot start. Blocks SIGTERM,
 * SIGINT and SIGPIPE in every thread (the main thread waits for the first
 * two), so call it from the main thread before starting any other. */
int serve_run(const serve_config *cfg);

/* Queues a response holding a copy of `body` (`len` bytes, may be 0) with
 * Content-Type `type` (NULL for none) and optional extra header pairs,
 * `extra` being name, value, name, value, ..., NULL. */
enum MHD_Result serve_respond(struct MHD_Connection *conn, unsigned status,
                              const char *type, const char *body,
                              size_t len, const char *const *extra);

#endif
