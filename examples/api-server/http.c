/*
 * http.c - just enough HTTP/1.1 for the example: one request per
 * connection, a Content-Length body or none, answers with
 * "Connection: close". Everything it does not understand is refused.
 */
#define _POSIX_C_SOURCE 200809L

#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define IO_TIMEOUT_SEC 5

static bool name_is(const char *name, size_t len, const char *want)
{
    size_t i;
    if (strlen(want) != len)
        return false;
    for (i = 0; i < len; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != want[i])
            return false;
    }
    return true;
}

/* One read into buf[have, cap); returns the new count (unchanged on EOF,
 * error or timeout, which sets *timed_out). */
static size_t read_some(int fd, char *buf, size_t have, size_t cap,
                        bool *timed_out)
{
    for (;;) {
        ssize_t n = read(fd, buf + have, cap - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            *timed_out = true;
        return n > 0 ? have + (size_t)n : have;
    }
}

/* The end of the head ("\r\n\r\n") in buf[0, len), or NULL. */
static char *find_head_end(char *buf, size_t len)
{
    size_t i;
    for (i = 0; i + 4 <= len; i++)
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
            return buf + i;
    return NULL;
}

int http_read_request(int fd, char *buf, http_request *req)
{
    struct timeval tv = {IO_TIMEOUT_SEC, 0};
    size_t have = 0, head_len, content_length = 0, body_have;
    bool timed_out = false, has_length = false;
    char *line, *eol, *sp1, *sp2, *end_of_head = NULL;

    memset(req, 0, sizeof *req);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    /* The head, and whatever part of the body came with it. */
    while (end_of_head == NULL) {
        size_t before = have;
        have = read_some(fd, buf, have, HTTP_MAX_HEAD + HTTP_MAX_BODY,
                         &timed_out);
        if (have == before)
            return timed_out ? 408 : 400;
        end_of_head = find_head_end(buf, have < HTTP_MAX_HEAD ? have
                                                              : HTTP_MAX_HEAD);
        if (end_of_head == NULL && have >= HTTP_MAX_HEAD)
            return 431;
    }
    head_len = (size_t)(end_of_head - buf) + 4;
    if (memchr(buf, '\0', head_len) != NULL)
        return 400;
    *end_of_head = '\0';

    /* Request line: METHOD SP target SP HTTP/1.x */
    eol = strstr(buf, "\r\n");
    if (eol == NULL)
        eol = end_of_head;
    *eol = '\0';
    sp1 = strchr(buf, ' ');
    sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
    if (sp1 == NULL || sp2 == NULL || strchr(sp2 + 1, ' ') != NULL ||
        sp1 == buf || (size_t)(sp1 - buf) >= sizeof req->method ||
        (strcmp(sp2 + 1, "HTTP/1.1") != 0 && strcmp(sp2 + 1, "HTTP/1.0") != 0))
        return 400;
    memcpy(req->method, buf, (size_t)(sp1 - buf));
    req->path = sp1 + 1;
    req->path_len = strcspn(req->path, "? ");

    /* Headers: the few this server reads, each at most once. */
    for (line = eol + 2; line < end_of_head; line = eol + 2) {
        char *colon, *value, *vend;
        size_t name_len;
        eol = strstr(line, "\r\n");
        if (eol == NULL)
            eol = end_of_head;
        *eol = '\0';
        colon = strchr(line, ':');
        if (colon == NULL || colon == line || line[0] == ' ' ||
            line[0] == '\t')
            return 400;
        name_len = (size_t)(colon - line);
        for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
            ;
        for (vend = value + strlen(value);
             vend > value && (vend[-1] == ' ' || vend[-1] == '\t'); vend--)
            ;
        *vend = '\0';
        if (name_is(line, name_len, "authorization")) {
            if (req->auth != NULL)
                return 400;
            req->auth = value;
        } else if (name_is(line, name_len, "content-length")) {
            char *end;
            unsigned long n;
            if (has_length || *value < '0' || *value > '9')
                return 400;
            errno = 0;
            n = strtoul(value, &end, 10);
            if (*end != '\0' || errno != 0)
                return 400;
            if (n > HTTP_MAX_BODY)
                return 413;
            content_length = (size_t)n;
            has_length = true;
        } else if (name_is(line, name_len, "transfer-encoding")) {
            return 501;
        }
    }

    /* The body: exactly Content-Length bytes, nothing after them. */
    body_have = have - head_len;
    if (body_have > content_length)
        return 400;
    while (body_have < content_length) {
        size_t before = body_have;
        body_have = read_some(fd, buf + head_len, body_have, content_length,
                              &timed_out);
        if (body_have == before)
            return timed_out ? 408 : 400;
    }
    req->body = buf + head_len;
    req->body_len = content_length;
    return 0;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    default: return "Internal Server Error";
    }
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

void http_respond(int fd, int status, const char *extra_headers,
                  const char *json, size_t json_len)
{
    char head[1024], length[64] = "";
    int n;
    if (status != 204) /* a 204 must not have one */
        snprintf(length, sizeof length, "Content-Length: %zu\r\n",
                 json != NULL ? json_len : 0);
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nConnection: close\r\n%s%s%s\r\n", status,
                 reason_phrase(status),
                 json != NULL ? "Content-Type: application/json\r\n" : "",
                 length, extra_headers != NULL ? extra_headers : "");
    if (n < 0 || (size_t)n >= sizeof head)
        return;
    write_all(fd, head, (size_t)n);
    if (json != NULL && status != 204)
        write_all(fd, json, json_len);
}

void http_close(int fd)
{
    struct timeval tv = {1, 0};
    char sink[4096];
    size_t total = 0;
    shutdown(fd, SHUT_WR);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (total < 4 * HTTP_MAX_BODY) {
        ssize_t n = read(fd, sink, sizeof sink);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    close(fd);
}
