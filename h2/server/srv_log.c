/* Log lines: "<UTC time> <level> <message>\n", each in one write(2) so that lines
 * of several workers never interleave (the log is a pipe, a terminal or a file
 * opened with O_APPEND). The request line carries the operation, the HTTP and
 * library statuses, the latency and the candidate counts (and cut="..." for a
 * stream the server reset: a body or an answer past its deadline): never a body,
 * so never a key, RES, XRES_AIOT or K_AIOTF. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "srv_internal.h"

static const char *level_names[] = {"-", "error", "warn", "info", "debug"};

uint64_t srv_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t stamp(char *buf, size_t cap, int level)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    int k = snprintf(buf + n, cap - n, ".%03ldZ %s ", ts.tv_nsec / 1000000, level_names[level]);
    return k > 0 ? n + (size_t)k : n;
}

static void emit(const struct aiotsec_h2s *s, char *line, size_t len, size_t cap)
{
    if (len >= cap - 1)
        len = cap - 2; /* truncated: keep the newline */
    line[len++] = '\n';
    ssize_t w = write(s->cfg.log_fd, line, len);
    (void)w; /* a log that cannot be written does not stop the service */
}

void srv_log(const struct aiotsec_h2s *s, int level, const char *fmt, ...)
{
    if (level > s->cfg.log_level || level <= AIOTSEC_H2S_LOG_NONE)
        return;
    char line[SRV_LOG_LINE];
    size_t n = stamp(line, sizeof line, level);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    emit(s, line, k > 0 ? n + (size_t)k : n, sizeof line);
}

void srv_log_request(const srv_worker *w, const srv_stream *st)
{
    const struct aiotsec_h2s *s = w->s;
    /* 5xx and 429 are warnings: they are what an operator watches for. */
    int level = !st->responded || st->http >= 500 || st->http == 429 ? AIOTSEC_H2S_LOG_WARN : AIOTSEC_H2S_LOG_INFO;
    if (!st->responded && st->req_done == 0)
        level = AIOTSEC_H2S_LOG_DEBUG; /* the peer gave up on a request it had not finished */
    if (st->cut)
        level = AIOTSEC_H2S_LOG_WARN; /* we reset it: a deadline missed */
    if (level > s->cfg.log_level)
        return;
    const char *op = aiotsec_adm_op_name(st->head.op);
    uint64_t us = (srv_now_ns() - st->t0_ns) / 1000u;
    char line[SRV_LOG_LINE];
    size_t n = stamp(line, sizeof line, level);
    int k;
    if (st->cut) {
        char status[8] = "-";
        if (st->responded)
            (void)snprintf(status, sizeof status, "%d", st->http % 1000);
        k = snprintf(line + n, sizeof line - n, "request op=%s status=%s cut=\"%s\" latency_us=%llu worker=%u%s%s%s",
                     op ? op : "-", status, st->cut, (unsigned long long)us, w->index, st->what ? " why=\"" : "",
                     st->what ? st->what : "", st->what ? "\"" : "");
    } else if (!st->responded)
        k = snprintf(line + n, sizeof line - n, "request op=%s status=- reset-by-peer latency_us=%llu worker=%u", op ? op : "-",
                     (unsigned long long)us, w->index);
    else
        k = snprintf(line + n, sizeof line - n,
                     "request op=%s status=%d result=%s latency_us=%llu candidates=%zu randd=%zu worker=%u%s%s%s",
                     op ? op : "-", st->http, st->what ? "-" : aiotsec_status_name(st->status), (unsigned long long)us,
                     st->candidates, st->rand_d, w->index, st->what ? " why=\"" : "", st->what ? st->what : "",
                     st->what ? "\"" : "");
    emit(s, line, k > 0 ? n + (size_t)k : n, sizeof line);
}
