/* aiotsec adm serve: the ADM as a network function, Nadm_Sec over HTTP/2
 * (h2/include/aiotsec/h2_server.h), over a key file or the key database.
 *
 * The key store is opened by the server's loader thread, at start and again on
 * SIGHUP, through cli_keystore_open(): each load makes a generation (store +
 * ADM) that the workers share read-only and that is freed when the last worker
 * has moved to the next. stdout gets one line, the address served, as soon as
 * the socket listens; everything else goes to the log. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "aiotsec/h2_server.h"
#include "cli.h"
#include "cmd_args.h"
#include "keystore_open.h"

#define DERIVATIONS_MAX (1ul << 24)

static void help(void)
{
    printf("usage: aiotsec adm serve (--keys FILE | --db DIR ...) [--listen ADDR:PORT] [--workers N]\n"
           "                         [--tls-cert FILE --tls-key FILE] [OPTIONS]\n"
           "\n"
           "The ADM's Nadm_Sec service (TS 29.369 v19.2.0) over HTTP/2: POST {apiRoot}/nadm-sec/v1/get-rand,\n"
           "get-authentication, get-session-key, get-tid. h2c (HTTP/2 with prior knowledge) on loopback;\n"
           "HTTP/2 over TLS (ALPN h2) with --tls-cert and --tls-key. Prints the address served on stdout,\n"
           "then logs one line per request (never a key, RES, XRES or K_AIOTF).\n"
           "SIGHUP reloads a key file without dropping a request (a key database needs no reload: its\n"
           "changes reach the next request); SIGTERM or SIGINT drains and exits 0.\n"
           "\n" CLI_KEYSTORE_HELP
           "  --listen ADDR:PORT     numeric address (IPv6 as [ADDR]:PORT; port 0: any free one);\n"
           "                         default 127.0.0.1:8080\n"
           "  --workers N            worker threads sharing the key store (default: CPUs, at most 16)\n"
           "  --tls-cert FILE        PEM certificate chain (with --tls-key): TLS, ALPN h2\n"
           "  --tls-key FILE         PEM private key\n"
           "  --allow-cleartext-remote  h2c on a non-loopback address (XRES and K_AIOTF in clear!)\n"
           "  --backend NAME         crypto backend (default: native when built, else the library's)\n"
           "  --max-derivations N    largest |candidates| x |randDlist| per request (default 65536)\n"
           "  --max-body OCTETS      largest request body (default 4194304; at most 16777216)\n"
           "  --queue N              complete requests waiting per worker before 429 (default 1024)\n"
           "  --memory-limit MIB     request and response bodies held per worker before 429 (default 64;\n"
           "                         a connection: an eighth of it, or one --max-body if larger)\n"
           "  --max-streams N        concurrent streams per connection (default 128)\n"
           "  --max-connections N    connections at once; more are closed at accept (default 4096;\n"
           "                         lowered to what the open-file limit holds, with a warning)\n"
           "  --idle-timeout MS      close a connection silent (PINGs aside) that long; reset a request\n"
           "                         body not complete that long after its headers (default 60000)\n"
           "  --write-timeout MS     cut a peer that reads nothing that long; reset an answer that makes\n"
           "                         no progress that long (default 30000)\n"
           "  --drain-timeout MS     longest drain at SIGTERM (default 10000)\n"
           "  --log-level LEVEL      none, error, warn, info (one line per request; default) or debug\n"
           "  --log FILE             append the log to FILE (default: stderr)\n"
           "\n"
           "Exit status: 0 after SIGTERM/SIGINT; 1 cannot listen or serve; 2 bad options or key store.\n");
}

/* What a generation owns: the key store and the ADM over it. */
typedef struct serve_gen {
    cli_keystore ks;
    aiotsec_adm *adm;
} serve_gen;

typedef struct serve_ctx {
    aiotsec_ctx *ctx;
    cli_keystore_args ka;
    unsigned long max_derivations;
    int loaded; /* a generation was loaded (only the loader thread reads or writes it) */
} serve_ctx;

static int load(void *arg, const aiotsec_adm **adm, void **owner, size_t *devices)
{
    serve_ctx *sc = arg;
    /* The key database follows its changes itself (aiotsec keys add/revoke/rekey reach
     * the next request), and one process opens it once: a reload has nothing to do. */
    if (sc->ka.db && sc->loaded)
        return AIOTSEC_E_UNSUPPORTED;
    serve_gen *g = calloc(1, sizeof *g);
    if (!g)
        return AIOTSEC_E_NO_MEMORY;
    int cli = cli_keystore_open(&g->ks, sc->ctx, &sc->ka); /* prints its reason on stderr */
    if (cli != CLI_OK) {
        free(g);
        return AIOTSEC_E_IO;
    }
    aiotsec_adm_config cfg;
    int rc = aiotsec_adm_config_init(&cfg, sc->ctx);
    if (rc == AIOTSEC_OK && sc->max_derivations)
        cfg.max_derivations = (uint32_t)sc->max_derivations;
    /* no batch pool: the workers are the parallelism, each runs its batches itself */
    if (rc == AIOTSEC_OK)
        rc = aiotsec_adm_new(&g->adm, sc->ctx, &g->ks.table, &cfg);
    if (rc != AIOTSEC_OK) {
        cli_keystore_close(&g->ks);
        free(g);
        return rc;
    }
    *devices = g->ks.mem ? aiotsec_memstore_count(g->ks.mem) : 0;
    if (g->ks.db)
        (void)aiotsec_keydb_count(g->ks.db, devices);
    *adm = g->adm;
    *owner = g;
    sc->loaded = 1;
    return AIOTSEC_OK;
}

static void unload(void *arg, void *owner)
{
    serve_gen *g = owner;
    (void)arg;
    aiotsec_adm_free(g->adm);
    cli_keystore_close(&g->ks);
    free(g);
}

static void idle(void *arg, void *owner)
{
    (void)arg;
    cli_keystore_idle(&((serve_gen *)owner)->ks);
}

static int number(const char *name, const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
    if (cli_parse_uint(v, max, out) != 0 || *out < min)
        return cli_usage_error("adm serve: %s: a number from %lu to %lu", name, min, max);
    return CLI_OK;
}

static int log_level(const char *v, int *out)
{
    static const char *names[] = {"none", "error", "warn", "info", "debug"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(v, names[i])) {
            *out = i;
            return CLI_OK;
        }
    return cli_usage_error("adm serve: --log-level: none, error, warn, info or debug");
}

typedef struct serve_opts {
    cli_keystore_args ka;
    const char *listen, *workers, *cert, *key, *backend, *max_der, *max_body, *queue, *mem, *streams, *conns,
        *idle_ms, *write_ms, *drain_ms, *level, *log;
    int cleartext_remote;
} serve_opts;

/* Options into the server's configuration: CLI_OK or CLI_USAGE (reason printed). */
static int configure(const serve_opts *o, aiotsec_h2s_config *cfg, serve_ctx *sc)
{
    unsigned long v = 0;
    int rc = CLI_OK;
    cfg->listen = o->listen ? o->listen : cfg->listen;
    cfg->tls_cert = o->cert;
    cfg->tls_key = o->key;
    cfg->allow_cleartext_remote = o->cleartext_remote;
    if (rc == CLI_OK && o->workers && (rc = number("--workers", o->workers, 1, 256, &v)) == CLI_OK)
        cfg->workers = (unsigned)v;
    if (rc == CLI_OK && o->max_body && (rc = number("--max-body", o->max_body, 1, 16ul << 20, &v)) == CLI_OK)
        cfg->max_body = v;
    if (rc == CLI_OK && o->queue && (rc = number("--queue", o->queue, 1, 1ul << 20, &v)) == CLI_OK)
        cfg->queue = v;
    if (rc == CLI_OK && o->mem && (rc = number("--memory-limit", o->mem, 1, 1ul << 16, &v)) == CLI_OK)
        cfg->memory_limit = v << 20;
    if (rc == CLI_OK && o->streams && (rc = number("--max-streams", o->streams, 1, 1ul << 20, &v)) == CLI_OK)
        cfg->max_streams = (uint32_t)v;
    if (rc == CLI_OK && o->conns && (rc = number("--max-connections", o->conns, 1, 1ul << 20, &v)) == CLI_OK)
        cfg->max_connections = (uint32_t)v;
    if (rc == CLI_OK && o->idle_ms && (rc = number("--idle-timeout", o->idle_ms, 1, 86400000ul, &v)) == CLI_OK)
        cfg->idle_timeout_ms = (uint32_t)v;
    if (rc == CLI_OK && o->write_ms && (rc = number("--write-timeout", o->write_ms, 1, 86400000ul, &v)) == CLI_OK)
        cfg->write_timeout_ms = (uint32_t)v;
    if (rc == CLI_OK && o->drain_ms && (rc = number("--drain-timeout", o->drain_ms, 1, 86400000ul, &v)) == CLI_OK)
        cfg->drain_timeout_ms = (uint32_t)v;
    if (rc == CLI_OK && o->max_der)
        rc = number("--max-derivations", o->max_der, 1, DERIVATIONS_MAX, &sc->max_derivations);
    if (rc == CLI_OK && o->level)
        rc = log_level(o->level, &cfg->log_level);
    if (rc == CLI_OK && cfg->memory_limit < cfg->max_body)
        rc = cli_usage_error("adm serve: --memory-limit must hold one --max-body");
    if (rc == CLI_OK && o->log) {
        cfg->log_fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (cfg->log_fd < 0)
            rc = cli_usage_error("adm serve: --log %s: cannot open", o->log);
    }
    return rc;
}

static int serve(const serve_opts *o)
{
    const aiotsec_backend *be = NULL;
    const char *backend = o->backend;
    if (!backend && aiotsec_backend_find("native", &be) == AIOTSEC_OK)
        backend = "native";
    serve_ctx sc;
    memset(&sc, 0, sizeof sc);
    sc.ka = o->ka;
    aiotsec_h2s_config cfg;
    aiotsec_h2s_config_init(&cfg);
    int rc = configure(o, &cfg, &sc);
    if (rc != CLI_OK)
        return rc;
    if (!(sc.ctx = cli_make_ctx(backend))) {
        if (o->log)
            close(cfg.log_fd);
        return CLI_USAGE;
    }
    cfg.load = load;
    cfg.unload = unload;
    cfg.idle = idle;
    cfg.store_arg = &sc;
    /* a connection is a descriptor: the soft open-file limit up to the hard one (the
     * server lowers --max-connections, with a warning, to what still does not fit) */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* a peer that goes away while we write must not kill the process */
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ign, NULL);
    aiotsec_h2s *s = NULL;
    const char *why = NULL;
    char why_buf[256];
    int st = aiotsec_h2s_new(&s, &cfg, &why, why_buf, sizeof why_buf);
    if (st != AIOTSEC_OK) {
        rc = st == AIOTSEC_E_BAD_VALUE ? cli_usage_error("adm serve: %s", why) : cli_fail("adm serve: %s", why);
    } else {
        printf("%s\n", aiotsec_h2s_address(s));
        rc = cmd_flush();
        if (rc == CLI_OK) {
            st = aiotsec_h2s_run(s);
            rc = st == AIOTSEC_OK ? CLI_OK : st == AIOTSEC_E_IO ? CLI_USAGE : CLI_FAIL;
        }
    }
    aiotsec_h2s_free(s);
    aiotsec_ctx_free(sc.ctx);
    if (o->log)
        close(cfg.log_fd);
    return rc;
}

int cli_cmd_adm_serve(int argc, char **argv)
{
    serve_opts o;
    memset(&o, 0, sizeof o);
    cmd_opt opts[] = {
        {"--allow-cleartext-remote", NULL, 1, 0}, /* a flag: first, see below */
        CLI_KEYSTORE_OPTS(o.ka),
        {"--listen", &o.listen, 1, 0},
        {"--workers", &o.workers, 1, 0},
        {"--tls-cert", &o.cert, 1, 0},
        {"--tls-key", &o.key, 1, 0},
        {"--backend", &o.backend, 1, 0},
        {"--max-derivations", &o.max_der, 1, 0},
        {"--max-body", &o.max_body, 1, 0},
        {"--queue", &o.queue, 1, 0},
        {"--memory-limit", &o.mem, 1, 0},
        {"--max-streams", &o.streams, 1, 0},
        {"--max-connections", &o.conns, 1, 0},
        {"--idle-timeout", &o.idle_ms, 1, 0},
        {"--write-timeout", &o.write_ms, 1, 0},
        {"--drain-timeout", &o.drain_ms, 1, 0},
        {"--log-level", &o.level, 1, 0},
        {"--log", &o.log, 1, 0},
    };
    int rc = cmd_parse_opts(argc - 1, argv + 1, opts, sizeof opts / sizeof opts[0]);
    if (rc == CMD_HELP)
        return help(), CLI_OK;
    if (rc != CLI_OK)
        return rc;
    o.cleartext_remote = opts[0].count != 0;
    if (!o.ka.keys == !o.ka.db)
        return cli_usage_error("adm serve: give one of --keys FILE and --db DIR (try aiotsec adm serve --help)");
    return serve(&o);
}
