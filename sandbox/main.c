/*
 * main.c: dbot-sandbox, a local Discord for a bot, with no token.
 *
 *   dbot-sandbox --bot PATH [--config FILE] [--script FILE | --play LINE...]
 *                [--json] [--timeout-ms N] [--reply-ms N] [--verbose]
 *                [-- BOT ARGS...]
 *       Mode A (scripted) with a script or --play lines; mode B
 *       (interactive prompt) when neither is given and stdin is a terminal;
 *       a script is read from stdin when it is not a terminal.
 *       With --http the bot is HTTP-only: interactions reach it as signed
 *       POSTs to its Interactions Endpoint instead of over the gateway.
 *   dbot-sandbox --serve [--duration-ms N]
 *       Mode C: print the API URL and token to use, serve until SIGINT or
 *       SIGTERM, for a test suite that starts its own bot.
 *
 * Exit status: 0 when the bot connected and every interaction was answered
 * in time (and every expect matched, and the fake saw no protocol
 * violation); 1 otherwise; 2 for bad usage.
 *
 * The bot runs as a child with DBOT_API_URL=<fake>, DISCORD_TOKEN=<sandbox
 * token> and DBOT_CONFIG=<--config> (unset without it); with --http also
 * DBOT_GATEWAY=0, DBOT_INTERACTIONS_LISTEN=127.0.0.1:<a free port> and
 * DISCORD_PUBLIC_KEY=<the key the fake signs with>. Its log goes to a
 * temporary file, shown when something fails (or live with --verbose). At
 * the end it gets SIGTERM and, if it has not exited 5 s later, SIGKILL.
 *
 * Interactive input is read with poll() on stdin between looks at the fake,
 * so bot messages that arrive while nobody types are shown as they come;
 * the fake itself runs on its own thread and never waits for stdin.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <libwebsockets.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY_TIMEOUT_MS 15000
#define STOP_TIMEOUT_MS  5000

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static volatile sig_atomic_t interrupted;

static void
on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

int64_t
sb_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sb_nap(void)
{
    struct timespec ts = { 0, 5 * 1000000 };

    nanosleep(&ts, NULL);
}

static int child_status = -1; /* wait status once reaped */

int
sb_bot_alive(struct sb *sb)
{
    int st;

    if (sb->child <= 0)
        return 0;
    if (waitpid(sb->child, &st, WNOHANG) == sb->child) {
        child_status = st;
        sb->child = 0;
        return 0;
    }
    return !interrupted;
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: dbot-sandbox --bot PATH [--config FILE] [--script FILE |"
            " --play LINE ...]\n"
            "                    [--json] [--timeout-ms N] [--reply-ms N]"
            " [--verbose] [--http] [-- BOT ARGS]\n"
            "       dbot-sandbox --serve [--duration-ms N]\n"
            "lines: /cmd [sub] opt:value | click ID | select ID v1,v2 |"
            " submit field:value |\n"
            "       complete /cmd opt:text | user \"Name\" @alice |"
            " message \"Name\" [ID | @user] |\n"
            "       say TEXT | expect TEXT | expect-fallback [KIND] |\n"
            "       expect-ack-under MS | & LINE | wait | wait-message TEXT |\n"
            "       wait-edit TEXT | permissions N | quit\n");
}

/* ---- the bot process ---------------------------------------------------- */

/* A loopback port nobody uses now (bound, read, closed: the bot binds it
 * a moment later). 0 when none. */
static int
free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static pid_t
spawn_bot(struct sb *sb, char **argv, const char *config, int verbose)
{
    char listen[32];
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid != 0)
        return pid;
    /* Child. */
    setenv("DBOT_API_URL", fakecord_api_url(sb->fc), 1);
    setenv("DISCORD_TOKEN", SB_TOKEN, 1);
    if (sb->http_port) {
        snprintf(listen, sizeof listen, "127.0.0.1:%d", sb->http_port);
        setenv("DBOT_GATEWAY", "0", 1);
        setenv("DBOT_INTERACTIONS_LISTEN", listen, 1);
        setenv("DISCORD_PUBLIC_KEY", fakecord_public_key(sb->fc), 1);
    }
    /* The sandbox's pages are on 127.0.0.1, which bots/offload.c's /fetch
     * refuses unless told otherwise: this is that opt-in, for the sandbox
     * only (no real user reaches a sandboxed bot). A value already set
     * wins, so a test can see the refusal with FETCH_ALLOW_LOOPBACK=0. */
    setenv("FETCH_ALLOW_LOOPBACK", "1", 0);
    /* Where the library notes its fallback answers (interaction_errors.c). */
    setenv("DBOT_SANDBOX_FALLBACKS", sb->fallback_log, 1);
    if (config)
        setenv("DBOT_CONFIG", config, 1);
    else
        unsetenv("DBOT_CONFIG");
    if (!verbose) {
        int fd = open(sb->bot_log, O_WRONLY | O_APPEND);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
    }
    execvp(argv[0], argv); /* a bare name is looked up in PATH */
    fprintf(stderr, "dbot-sandbox: cannot run %s: %s\n", argv[0],
            strerror(errno));
    _exit(127);
}

static void
stop_bot(struct sb *sb)
{
    int64_t dl;

    if (!sb_bot_alive(sb) && sb->child <= 0)
        return;
    if (sb->child > 0)
        kill(sb->child, SIGTERM);
    dl = sb_now_ms() + STOP_TIMEOUT_MS;
    while (sb->child > 0 && sb_now_ms() < dl) {
        int st;
        if (waitpid(sb->child, &st, WNOHANG) == sb->child) {
            child_status = st;
            sb->child = 0;
            break;
        }
        sb_nap();
    }
    if (sb->child > 0) {
        fprintf(stderr,
                "dbot-sandbox: the bot ignored SIGTERM for %d s; "
                "killing it\n",
                STOP_TIMEOUT_MS / 1000);
        kill(sb->child, SIGKILL);
        waitpid(sb->child, &child_status, 0);
        sb->child = 0;
    }
}

static void
show_bot_log(struct sb *sb)
{
    FILE *f = sb->bot_log ? fopen(sb->bot_log, "r") : NULL;
    char line[1024];

    if (!f)
        return;
    fprintf(stderr, "---- bot log ----\n");
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fprintf(stderr, "-----------------\n");
    fclose(f);
}

/* READY sent, then one heartbeat round trip so the bot knows its latency
 * (the fake asks for a beat now instead of waiting a whole interval). */
static int
wait_ready(struct sb *sb)
{
    struct fakecord_stats st;
    int64_t dl = sb_now_ms() + READY_TIMEOUT_MS;

    do {
        fakecord_stats(sb->fc, &st);
        if (st.ready_sent > 0)
            break;
        sb_nap();
    } while (sb_now_ms() < dl && sb_bot_alive(sb));
    if (st.ready_sent < 1)
        return -1;
    fakecord_send_heartbeat_request(sb->fc);
    dl = sb_now_ms() + 2000;
    do {
        fakecord_stats(sb->fc, &st);
        if (st.heartbeat_acks_sent > 0)
            break;
        sb_nap();
    } while (sb_now_ms() < dl && sb_bot_alive(sb));
    return 0;
}

/* HTTP mode: the endpoint answers a signed PING with {"type":1}, as the
 * Developer Portal requires before it saves the URL, and refuses one
 * badly signed, as Discord checks now and then (§3.5). */
static int
wait_endpoint(struct sb *sb)
{
    int64_t dl = sb_now_ms() + READY_TIMEOUT_MS;
    struct fakecord_post p = { .url = sb->endpoint, .body = "{\"type\":1}" };
    struct fakecord_answer a;
    int ok = 0;

    do {
        fakecord_post_signed(sb->fc, &p, &a);
        ok = a.status == 200 && a.body && !strcmp(a.body, "{\"type\":1}");
        free(a.body);
        if (!ok)
            sb_nap();
    } while (!ok && sb_now_ms() < dl && sb_bot_alive(sb));
    if (!ok)
        return -1;
    p.tamper_body = 1;
    fakecord_post_signed(sb->fc, &p, &a);
    free(a.body);
    if (a.status != 401) {
        fprintf(stderr,
                "dbot-sandbox: the endpoint answered %d to a PING with a "
                "bad signature (Discord removes an endpoint that does not "
                "answer 401)\n",
                a.status);
        sb->failures++;
    }
    return 0;
}

/* ---- modes --------------------------------------------------------------- */

static int
serve(fakecord *fc, long duration_ms)
{
    int64_t end = duration_ms > 0 ? sb_now_ms() + duration_ms : 0;
    char *v;

    printf("DBOT_API_URL=%s\nDISCORD_TOKEN=%s\n", fakecord_api_url(fc),
           SB_TOKEN);
    fflush(stdout);
    while (!interrupted && (!end || sb_now_ms() < end)) {
        struct timespec ts = { 0, 20 * 1000000 };
        nanosleep(&ts, NULL);
    }
    v = fakecord_violations(fc);
    if (v && *v)
        fprintf(stderr, "dbot-sandbox: protocol violations:\n%s", v);
    free(v);
    return 0;
}

/* Read lines from stdin without blocking the watch on the bot. */
static int
interactive(struct sb *sb, int tty)
{
    char buf[4096];
    size_t n = 0;
    int eof = 0;

    if (tty) {
        printf("Connected. Type /command opt:value, click ID, select ID "
               "value, submit field:value, complete /command opt:text, "
               "user \"Name\" @alice, message \"Name\", say TEXT, or "
               "quit.\n> ");
        fflush(stdout);
    }
    while (!eof && sb_bot_alive(sb)) {
        struct pollfd p = { STDIN_FILENO, POLLIN, 0 };
        int r = poll(&p, 1, 50);
        char *nl;

        if (r < 0 && errno != EINTR)
            break;
        if (r > 0) {
            ssize_t k = read(STDIN_FILENO, buf + n, sizeof buf - 1 - n);
            if (k <= 0) {
                eof = 1;
                if (n) /* a last line without a newline */
                    buf[n++] = '\n';
            } else {
                n += (size_t)k;
            }
        }
        while ((nl = memchr(buf, '\n', n))) {
            *nl = '\0';
            if (sb_play(sb, buf) == 1)
                return 0;
            n -= (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, n);
            if (tty) {
                printf("> ");
                fflush(stdout);
            }
        }
        if (n == sizeof buf - 1) /* an overlong line: drop it */
            n = 0;
        if (tty)
            sb_poll_unsolicited(sb);
    }
    return 0;
}

static int
play_file(struct sb *sb, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];

    if (!f) {
        fprintf(stderr, "dbot-sandbox: cannot read %s: %s\n", path,
                strerror(errno));
        sb->failures++;
        return -1;
    }
    while (fgets(line, sizeof line, f) && sb_bot_alive(sb)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (sb_play(sb, line) == 1)
            break;
    }
    fclose(f);
    return 0;
}

int
main(int argc, char **argv)
{
    struct fakecord_opts fo;
    struct sb sb;
    const char *bot = NULL, *config = NULL, *script = NULL;
    const char **plays = calloc((size_t)argc + 1, sizeof *plays);
    char **bot_argv = calloc((size_t)argc + 2, sizeof *bot_argv);
    char logpath[] = "/tmp/dbot-sandbox-XXXXXX";
    char fallbackpath[] = "/tmp/dbot-sandbox-fallbacks-XXXXXX";
    int nplays = 0, nbargs = 1, serve_mode = 0, verbose = 0, rc = 0, fd;
    int http = 0;
    long duration = 0;
    char *v;

    if (!plays || !bot_argv)
        return 1;
    memset(&sb, 0, sizeof sb);
    sb.step_timeout_ms = 20000;
    sb.settle_ms = 300;
    sb.reply_ms = 2000;
    sb.modal_target = -1;
    sb.next_id = 1300000000000000000ULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (!strcmp(a, "--")) {
            for (i++; i < argc; i++)
                bot_argv[nbargs++] = argv[i];
            break;
        } else if (!strcmp(a, "--serve")) {
            serve_mode = 1;
        } else if (!strcmp(a, "--json")) {
            sb.json = 1;
        } else if (!strcmp(a, "--verbose")) {
            verbose = 1;
        } else if (!strcmp(a, "--http")) {
            http = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return 0;
        } else if (!val) {
            usage();
            return 2;
        } else if (!strcmp(a, "--bot")) {
            bot = argv[++i];
        } else if (!strcmp(a, "--config")) {
            config = argv[++i];
        } else if (!strcmp(a, "--script")) {
            script = argv[++i];
        } else if (!strcmp(a, "--play")) {
            plays[nplays++] = argv[++i];
        } else if (!strcmp(a, "--timeout-ms")) {
            sb.step_timeout_ms = atoi(argv[++i]);
        } else if (!strcmp(a, "--reply-ms")) {
            sb.reply_ms = atoi(argv[++i]);
        } else if (!strcmp(a, "--duration-ms")) {
            duration = atol(argv[++i]);
        } else {
            usage();
            return 2;
        }
    }
    if (!serve_mode && !bot) {
        usage();
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    /* The fake's lws notices would drown the conversation. */
    lws_set_log_level(
        verbose ? LLL_ERR | LLL_WARN | LLL_NOTICE : LLL_ERR | LLL_WARN, NULL);
    memset(&fo, 0, sizeof fo);
    fo.token = SB_TOKEN;
    sb.fc = fakecord_start(&fo);
    if (!sb.fc) {
        fprintf(stderr, "dbot-sandbox: cannot listen on 127.0.0.1\n");
        return 1;
    }
    /* Members, roles and moderation in the sandbox's guild, as Discord
     * enforces them (docs/fakecord.md, "Guild model"). */
    fakecord_model_guild(sb.fc, SB_GUILD_ID, SB_CHANNEL);
    /* A deliberately slow page for examples that fetch URLs. */
    fakecord_rest_script(sb.fc, &(struct fakecord_rest_rule){
                                    .method = "GET",
                                    .path_prefix = "/sandbox/slow",
                                    .count = -1,
                                    .status = 200,
                                    .body = "{\"message\":\"hello from the "
                                            "sandbox, slowly\"}",
                                    .delay_ms = 1500 });
    if (serve_mode) {
        rc = serve(sb.fc, duration);
        fakecord_stop(sb.fc);
        free(plays);
        free(bot_argv);
        return rc;
    }

    sb.quiet = sb.json;
    sb.msgs = cJSON_CreateArray();
    sb.steps = cJSON_CreateArray();
    fd = mkstemp(logpath);
    if (fd >= 0)
        close(fd);
    sb.bot_log = logpath;
    fd = mkstemp(fallbackpath);
    if (fd >= 0)
        close(fd);
    sb.fallback_log = fallbackpath;
    bot_argv[0] = (char *)bot;
    if (http) {
        sb.http_port = free_port();
        snprintf(sb.endpoint, sizeof sb.endpoint,
                 "http://127.0.0.1:%d/interactions", sb.http_port);
        if (!sb.http_port || !fakecord_public_key(sb.fc) ||
            fakecord_set_interactions_endpoint(sb.fc, sb.endpoint) < 0) {
            fprintf(stderr, "dbot-sandbox: cannot set up HTTP mode\n");
            sb.failures++;
        }
    }
    if (!sb.failures)
        sb.child = spawn_bot(&sb, bot_argv, config, verbose);
    if (sb.failures) {
        /* HTTP mode could not be set up: said above. */
    } else if (sb.child < 0) {
        fprintf(stderr, "dbot-sandbox: fork: %s\n", strerror(errno));
        sb.failures++;
    } else if (http && wait_endpoint(&sb) < 0) {
        fprintf(stderr,
                "dbot-sandbox: the bot's endpoint %s did not answer a "
                "signed PING within %d s\n",
                sb.endpoint, READY_TIMEOUT_MS / 1000);
        sb.failures++;
    } else if (!http && wait_ready(&sb) < 0) {
        fprintf(stderr,
                "dbot-sandbox: the bot did not connect (no READY "
                "within %d s)\n",
                READY_TIMEOUT_MS / 1000);
        sb.failures++;
    } else {
        if (!sb.quiet)
            printf(
                "dbot-sandbox: %s connected to the local Discord at %s%s%s\n",
                bot, fakecord_api_url(sb.fc),
                http ? "; interactions are POSTed to " : "",
                http ? sb.endpoint : "");
        for (int i = 0; i < nplays && sb_bot_alive(&sb); i++)
            if (sb_play(&sb, plays[i]) == 1)
                break;
        if (script)
            play_file(&sb, script);
        else if (!nplays)
            interactive(&sb, isatty(STDIN_FILENO));
        /* Interactions left in the background, and a fallback nobody
         * expected after the last step. */
        if (sb.nbg)
            sb_finish_background(&sb);
        sb_check_fallback(&sb);
        /* Anything the bot posted after the last step. */
        if (sb_bot_alive(&sb))
            sb_poll_unsolicited(&sb);
        if (!sb.child && !interrupted) {
            fprintf(stderr, "dbot-sandbox: the bot exited during the run\n");
            sb.failures++;
        }
    }
    stop_bot(&sb);
    /* A clean bot exits 0 on SIGTERM; anything else (a crash, a sanitizer
     * report at exit) is a failure a test suite wants to see. */
    if (child_status != -1 &&
        !(WIFEXITED(child_status) && WEXITSTATUS(child_status) == 0)) {
        if (WIFSIGNALED(child_status))
            fprintf(stderr, "dbot-sandbox: the bot died of signal %d\n",
                    WTERMSIG(child_status));
        else
            fprintf(stderr, "dbot-sandbox: the bot exited with status %d\n",
                    WEXITSTATUS(child_status));
        sb.failures++;
    }
    v = fakecord_violations(sb.fc);
    if (v && *v) {
        fprintf(stderr, "dbot-sandbox: the bot broke Discord's rules:\n%s", v);
        sb.failures++;
    }
    if (sb.failures && !verbose)
        show_bot_log(&sb);
    if (sb.json) {
        cJSON *doc = cJSON_CreateObject();
        char *text;

        cJSON_AddBoolToObject(doc, "ok", sb.failures == 0);
        cJSON_AddNumberToObject(doc, "failures", sb.failures);
        cJSON_AddNumberToObject(doc, "interactions", sb.interactions);
        cJSON_AddStringToObject(doc, "violations", v ? v : "");
        cJSON_AddItemToObject(doc, "steps", sb.steps);
        sb.steps = NULL;
        cJSON_AddItemToObject(doc, "messages", sb.msgs);
        sb.msgs = NULL;
        text = cJSON_Print(doc);
        puts(text ? text : "{}");
        free(text);
        cJSON_Delete(doc);
    } else {
        printf("\ndbot-sandbox: %d interaction(s), %s\n", sb.interactions,
               sb.failures ? "FAILED" : "all answered");
    }
    free(v);
    unlink(logpath);
    unlink(fallbackpath);
    fakecord_stop(sb.fc);
    cJSON_Delete(sb.msgs);
    cJSON_Delete(sb.steps);
    cJSON_Delete(sb.modal);
    free(sb.played);
    free(sb.last_text);
    free(plays);
    free(bot_argv);
    return sb.failures ? 1 : 0;
}
