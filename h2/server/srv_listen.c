/* The listening socket: bound when the server is made (so the port is known, and
 * a port taken is an error before anything starts), accepted from by the main
 * thread, which hands each connection to a worker in turn. Over max_connections
 * a connection is closed at once: the bound on what the server holds.
 *
 * Descriptors: at start, a max_connections that does not fit under the soft
 * RLIMIT_NOFILE (with room for the server's own files) is lowered, with a warning.
 * Should accept() still fail (EMFILE, ENFILE: other files of the process, the
 * system's table), the listener rests SRV_ACCEPT_PAUSE_MS at a time rather than
 * retry at once (the pending connection keeps the socket readable: a busy loop),
 * and the error is logged at most once a second, with a count. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "srv_internal.h"

/* "ADDR:PORT" or "[V6ADDR]:PORT" into host and port strings. */
static int split_address(const char *in, char *host, size_t host_cap, char *port, size_t port_cap)
{
    const char *colon;
    size_t hl;
    if (in[0] == '[') {
        const char *end = strchr(in, ']');
        if (!end || end[1] != ':')
            return -1;
        hl = (size_t)(end - in - 1);
        in++;
        colon = end + 1;
    } else {
        colon = strrchr(in, ':');
        if (!colon || memchr(in, ':', (size_t)(colon - in)))
            return -1; /* a bare IPv6 address needs brackets */
        hl = (size_t)(colon - in);
    }
    size_t pl = strlen(colon + 1);
    if (hl == 0 || hl >= host_cap || pl == 0 || pl >= port_cap || strspn(colon + 1, "0123456789") != pl ||
        strtoul(colon + 1, NULL, 10) > 65535)
        return -1;
    memcpy(host, in, hl);
    host[hl] = 0;
    memcpy(port, colon + 1, pl + 1);
    return 0;
}

static int is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        return IN6_IS_ADDR_LOOPBACK(a) ||
               (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
    }
    return 0;
}

static void describe(const struct sockaddr *sa, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        (void)inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        (void)snprintf(out, cap, "%s:%u", host, port);
    } else {
        const struct sockaddr_in6 *in = (const struct sockaddr_in6 *)(const void *)sa;
        (void)inet_ntop(AF_INET6, &in->sin6_addr, host, sizeof host);
        port = ntohs(in->sin6_port);
        (void)snprintf(out, cap, "[%s]:%u", host, port);
    }
}

int srv_listen_open(struct aiotsec_h2s *s, char *why, size_t cap)
{
    char host[128], port[8];
    if (split_address(s->cfg.listen, host, sizeof host, port, sizeof port) != 0) {
        (void)snprintf(why, cap, "--listen: '%.80s' is not ADDR:PORT (numeric; IPv6 as [ADDR]:PORT)", s->cfg.listen);
        return AIOTSEC_E_BAD_VALUE;
    }
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    int g = getaddrinfo(host, port, &hints, &ai);
    if (g != 0 || !ai) {
        (void)snprintf(why, cap, "--listen: '%.80s': %s", s->cfg.listen, g ? gai_strerror(g) : "no address");
        return AIOTSEC_E_BAD_VALUE;
    }
    if (!s->tls && !s->cfg.allow_cleartext_remote && !is_loopback(ai->ai_addr)) {
        (void)snprintf(why, cap, "--listen %.80s: h2c (no TLS) carries XRES_AIOT and K_AIOTF in clear: loopback only, "
                           "unless TLS is configured or cleartext is allowed explicitly",
                 s->cfg.listen);
        freeaddrinfo(ai);
        return AIOTSEC_E_BAD_VALUE;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int one = 1;
    int rc = fd < 0 ? -1 : setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (rc == 0)
        rc = bind(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc == 0)
        rc = listen(fd, 1024);
    if (rc == 0) {
        int fl = fcntl(fd, F_GETFL);
        rc = fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (rc == 0)
        rc = getsockname(fd, (struct sockaddr *)&bound, &blen);
    if (rc != 0) {
        (void)snprintf(why, cap, "cannot listen on %.80s: %s", s->cfg.listen, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(ai);
        return AIOTSEC_E_IO;
    }
    freeaddrinfo(ai);
    describe((struct sockaddr *)&bound, s->address, sizeof s->address);
    s->lfd = fd;
    return AIOTSEC_OK;
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    struct aiotsec_h2s *s = arg;
    (void)l;
    (void)sa;
    (void)salen;
    if (atomic_load(&s->state) == SRV_STOPPING || atomic_load(&s->conns_open) >= s->cfg.max_connections) {
        s->refused++;
        srv_log(s, AIOTSEC_H2S_LOG_WARN, "connection refused: %s",
                atomic_load(&s->state) == SRV_STOPPING ? "stopping" : "max-connections reached");
        close(fd);
        return;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* small responses go out at once */
    atomic_fetch_add(&s->conns_open, 1u);
    s->accepted++;
    srv_worker *w = &s->workers[s->next_worker];
    s->next_worker = (s->next_worker + 1) % s->n_workers;
    srv_worker_give_fd(w, fd);
}

static void on_accept_retry(evutil_socket_t fd, short what, void *arg)
{
    struct aiotsec_h2s *s = arg;
    (void)fd;
    (void)what;
    if (s->listener && atomic_load(&s->state) != SRV_STOPPING)
        (void)evconnlistener_enable(s->listener);
}

/* accept() failed with an error libevent does not retry by itself: EMFILE, ENFILE
 * (descriptors), ENOBUFS, ENOMEM... The pending connection keeps the socket
 * readable, so the listener rests rather than spin, whatever the error. */
static void on_listen_error(struct evconnlistener *l, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();
    struct aiotsec_h2s *s = arg;
    struct timeval pause = {0, (suseconds_t)SRV_ACCEPT_PAUSE_MS * 1000};
    (void)evconnlistener_disable(l);
    if (s->accept_retry_ev)
        (void)evtimer_add(s->accept_retry_ev, &pause);
    s->accept_errors++;
    uint64_t now = srv_now_ns();
    if (s->accept_log_ns && now - s->accept_log_ns < 1000000000u)
        return; /* at most a line a second */
    srv_log(s, AIOTSEC_H2S_LOG_ERROR, "accept: %s (%llu time%s since the last such line): not accepting for %u ms",
            strerror(err), (unsigned long long)s->accept_errors, s->accept_errors == 1 ? "" : "s",
            SRV_ACCEPT_PAUSE_MS);
    s->accept_log_ns = now;
    s->accept_errors = 0;
}

/* max_connections under the open-file limit, leaving room for the server's own
 * descriptors: the listener, the log, the event loops' (epoll and wake-up) of the
 * main thread and of each worker, the key store's files, a reload's. */
static void fit_descriptors(struct aiotsec_h2s *s)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return;
    rlim_t own = 32u + 4u * (rlim_t)s->cfg.workers;
    rlim_t fit = rl.rlim_cur > own + 1u ? rl.rlim_cur - own : 1u;
    if ((rlim_t)s->cfg.max_connections <= fit)
        return;
    srv_log(s, AIOTSEC_H2S_LOG_WARN,
            "--max-connections %u does not fit under the open-file limit %llu (%llu kept for the server's own "
            "files): lowered to %llu",
            (unsigned)s->cfg.max_connections, (unsigned long long)rl.rlim_cur, (unsigned long long)own,
            (unsigned long long)fit);
    s->cfg.max_connections = (uint32_t)fit;
}

int srv_listen_start(struct aiotsec_h2s *s)
{
    fit_descriptors(s);
    s->accept_retry_ev = evtimer_new(s->base, on_accept_retry, s);
    if (!s->accept_retry_ev)
        return AIOTSEC_E_NO_MEMORY;
    s->listener = evconnlistener_new(s->base, on_accept, s, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, s->lfd);
    if (!s->listener)
        return AIOTSEC_E_NO_MEMORY;
    s->lfd = -1; /* the listener owns it now */
    evconnlistener_set_error_cb(s->listener, on_listen_error);
    return AIOTSEC_OK;
}

void srv_listen_stop(struct aiotsec_h2s *s)
{
    if (s->accept_retry_ev)
        event_free(s->accept_retry_ev);
    s->accept_retry_ev = NULL;
    if (s->listener)
        evconnlistener_free(s->listener);
    s->listener = NULL;
    if (s->lfd >= 0)
        close(s->lfd);
    s->lfd = -1;
}
