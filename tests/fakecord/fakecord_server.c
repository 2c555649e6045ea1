/*
 * fakecord_server.c: run the fake Discord on its own, for manual tests and
 * the sandbox. Prints the API URL and the gateway URL, then serves until
 * SIGINT/SIGTERM or --duration-ms passes. Violations are printed to
 * stderr as they happen, and a summary on exit.
 *
 *   fakecord-server [--port N] [--token T] [--heartbeat-ms N] [--guilds N]
 *                   [--guild-members N] [--shards N] [--deny-intents MASK]
 *                   [--heartbeat-grace-ms N] [--duration-ms N]
 */
#include "fakecord.h"

#include <libwebsockets.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: fakecord-server [--port N] [--token T] [--heartbeat-ms N]"
            " [--guilds N] [--guild-members N] [--shards N]"
            " [--deny-intents MASK] [--heartbeat-grace-ms N]"
            " [--duration-ms N]\n");
}

int
main(int argc, char **argv)
{
    struct fakecord_opts o;
    struct fakecord_stats st;
    long duration = -1;
    size_t shown = 0;
    struct timespec t0, now;
    fakecord *fc;
    char *v;

    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (!val) {
            usage();
            return 2;
        }
        if (!strcmp(a, "--port"))
            o.port = atoi(val);
        else if (!strcmp(a, "--token"))
            o.token = val;
        else if (!strcmp(a, "--heartbeat-ms"))
            o.heartbeat_interval_ms = atoi(val);
        else if (!strcmp(a, "--guilds"))
            o.guilds = atoi(val);
        else if (!strcmp(a, "--guild-members"))
            o.guild_members = atoi(val);
        else if (!strcmp(a, "--shards"))
            o.shards = atoi(val);
        else if (!strcmp(a, "--deny-intents"))
            o.denied_intents = strtoull(val, NULL, 0);
        else if (!strcmp(a, "--heartbeat-grace-ms"))
            o.heartbeat_grace_ms = atoi(val);
        else if (!strcmp(a, "--duration-ms"))
            duration = atol(val);
        else {
            usage();
            return 2;
        }
    }
    lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    fc = fakecord_start(&o);
    if (!fc) {
        fprintf(stderr, "fakecord-server: cannot listen\n");
        return 1;
    }
    printf("%s\n%s\n", fakecord_api_url(fc), fakecord_gateway_url(fc));
    fflush(stdout);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!stop_flag) {
        struct timespec ts = { 0, 20 * 1000000 };

        nanosleep(&ts, NULL);
        v = fakecord_violations(fc);
        if (v && strlen(v) > shown) {
            fprintf(stderr, "%s", v + shown);
            shown = strlen(v);
        }
        free(v);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (duration >= 0 && (now.tv_sec - t0.tv_sec) * 1000 +
                                     (now.tv_nsec - t0.tv_nsec) / 1000000 >=
                                 duration)
            break;
    }
    fakecord_stats(fc, &st);
    v = fakecord_violations(fc);
    if (v && strlen(v) > shown)
        fprintf(stderr, "%s", v + shown);
    fprintf(stderr,
            "fakecord-server: %d connections, %d identifies, %d resumes, "
            "%d REST requests, %d violations\n",
            st.connections, st.identifies, st.resumes, st.rest_requests,
            st.violations);
    free(v);
    fakecord_stop(fc);
    return 0;
}
