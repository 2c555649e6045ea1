/*
 * test_state.c: the session file: format round trip, every reason to not
 * resume (age, future, shard count, damage, foreign URL), the path rules,
 * and the file's mode and atomic replacement.
 */
#include "../check.h"
#include "state.h"

#include <dbot/dbot.h>

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

static char err[256];

static struct dbot__state
two_shards(int64_t saved_at)
{
    struct dbot__state st;

    memset(&st, 0, sizeof st);
    st.saved_at = saved_at;
    st.shard_count = 2;
    ASSERT_EQ(dbot__state_add(&st, 1, "sess-b", "wss://gw-b.discord.gg", 7), 0);
    ASSERT_EQ(
        dbot__state_add(&st, 0, "sess-a", "wss://gw-a.discord.gg", 123456789),
        0);
    return st;
}

TEST(round_trip)
{
    struct dbot__state st = two_shards(1000000), back;
    char *text = dbot__state_format(&st);

    ASSERT_TRUE(text != NULL);
    ASSERT_EQ(dbot__state_parse(text, strlen(text), 2, 1000010, 180, &back, err,
                                sizeof err),
              0);
    ASSERT_EQ(back.n, 2);
    ASSERT_EQ(back.saved_at, 1000000);
    ASSERT_EQ(back.shards[0].shard_id, 1);
    ASSERT_STREQ(back.shards[0].session_id, "sess-b");
    ASSERT_STREQ(back.shards[0].resume_url, "wss://gw-b.discord.gg");
    ASSERT_EQ(back.shards[0].seq, 7);
    ASSERT_EQ(back.shards[1].shard_id, 0);
    ASSERT_EQ(back.shards[1].seq, 123456789);
    dbot__state_clear(&back);
    dbot__state_clear(&st);
    free(text);
}

static void
expect_refused(const char *text, int shards, int64_t now, int window, int rc,
               const char *why)
{
    struct dbot__state st;

    ASSERT_EQ(dbot__state_parse(text, strlen(text), shards, now, window, &st,
                                err, sizeof err),
              rc);
    ASSERT_CONTAINS(err, why);
    ASSERT_EQ(st.n, 0);
    ASSERT_TRUE(st.shards == NULL);
}

TEST(refusals)
{
    struct dbot__state st = two_shards(1000000);
    char *text = dbot__state_format(&st);

    /* The resume window, inclusive; then too old; then from the future. */
    {
        struct dbot__state ok;
        ASSERT_EQ(dbot__state_parse(text, strlen(text), 2, 1000180, 180, &ok,
                                    err, sizeof err),
                  0);
        dbot__state_clear(&ok);
    }
    expect_refused(text, 2, 1000181, 180, DBOT_ETIMEDOUT,
                   "saved 181 s ago, over the 180 s window");
    expect_refused(text, 2, 1000000 - 61, 180, DBOT_EINVAL,
                   "saved in the future");
    /* "shards": 0 takes the file's count, whatever it is. */
    {
        struct dbot__state any;
        ASSERT_EQ(dbot__state_parse(text, strlen(text), 0, 1000001, 180, &any,
                                    err, sizeof err),
                  0);
        ASSERT_EQ(any.shard_count, 2);
        ASSERT_EQ(any.n, 2);
        dbot__state_clear(&any);
    }
    expect_refused(text, -1, 1000001, 180, DBOT_EINVAL, "no shards");
    /* Resharded since: sessions belong to other shard ids. */
    expect_refused(text, 3, 1000001, 180, DBOT_EINVAL,
                   "saved for another shard count");
    expect_refused("", 2, 0, 180, DBOT_EINVAL, "not a JSON object");
    expect_refused("{\"version\":1,\"saved_at\":1", 2, 1, 180, DBOT_EINVAL,
                   "not a JSON object");
    expect_refused("[1]", 2, 1, 180, DBOT_EINVAL, "not a JSON object");
    expect_refused("{\"version\":2,\"saved_at\":1,\"shard_count\":1,"
                   "\"shards\":[]}",
                   1, 1, 180, DBOT_EINVAL, "unknown version");
    expect_refused("{\"version\":1,\"saved_at\":-5,\"shard_count\":1,"
                   "\"shards\":[]}",
                   1, 1, 180, DBOT_EINVAL, "bad saved_at");
    expect_refused("{\"version\":1,\"saved_at\":1,\"shard_count\":1}", 1, 1,
                   180, DBOT_EINVAL, "no shards array");
#define ONE(shard_json)                                                       \
    "{\"version\":1,\"saved_at\":1,\"shard_count\":2,\"shards\":[" shard_json \
    "]}"
    expect_refused(ONE("{\"shard\":2,\"session_id\":\"a\",\"seq\":1,"
                       "\"resume_url\":\"wss://x\"}"),
                   2, 1, 180, DBOT_EINVAL, "shards[0]: shard not in 0..1");
    expect_refused(ONE("{\"shard\":0,\"session_id\":\"a\",\"seq\":1,"
                       "\"resume_url\":\"wss://x\"},"
                       "{\"shard\":0,\"session_id\":\"b\",\"seq\":1,"
                       "\"resume_url\":\"wss://x\"}"),
                   2, 1, 180, DBOT_EINVAL, "shards[1]: shard 0 listed twice");
    expect_refused(ONE("{\"shard\":0,\"session_id\":\"a\",\"seq\":-1,"
                       "\"resume_url\":\"wss://x\"}"),
                   2, 1, 180, DBOT_EINVAL, "shards[0]: bad seq");
    expect_refused(ONE("{\"shard\":0,\"session_id\":\"a\",\"seq\":1.5,"
                       "\"resume_url\":\"wss://x\"}"),
                   2, 1, 180, DBOT_EINVAL, "shards[0]: bad seq");
    expect_refused(ONE("{\"shard\":0,\"session_id\":\"\",\"seq\":1,"
                       "\"resume_url\":\"wss://x\"}"),
                   2, 1, 180, DBOT_EINVAL, "shards[0]: bad session_id");
    /* The token is sent to this URL: nothing but a websocket URL. */
    expect_refused(ONE("{\"shard\":0,\"session_id\":\"a\",\"seq\":1,"
                       "\"resume_url\":\"https://evil.example\"}"),
                   2, 1, 180, DBOT_EINVAL, "shards[0]: bad resume_url");
    expect_refused(ONE("7"), 2, 1, 180, DBOT_EINVAL,
                   "shards[0]: not an object");
#undef ONE
    dbot__state_clear(&st);
    free(text);
}

TEST(paths)
{
    char buf[256];

    ASSERT_EQ(dbot__state_path("/var/lib/dbot/fortune", "/tmp/x.json", buf,
                               sizeof buf),
              1);
    ASSERT_STREQ(buf, "/var/lib/dbot/fortune/session.json");
    ASSERT_EQ(dbot__state_path("/var/lib/a:/var/lib/b", NULL, buf, sizeof buf),
              1);
    ASSERT_STREQ(buf, "/var/lib/a/session.json");
    ASSERT_EQ(dbot__state_path(NULL, "/tmp/x.json", buf, sizeof buf), 1);
    ASSERT_STREQ(buf, "/tmp/x.json");
    ASSERT_EQ(dbot__state_path("", "", buf, sizeof buf), 0);
    ASSERT_EQ(dbot__state_path(NULL, NULL, buf, sizeof buf), 0);
    ASSERT_STREQ(buf, "");
}

TEST(file_io)
{
    char dir[] = "/tmp/dbot-state-XXXXXX", path[256], tmp[300];
    struct stat sb;
    char *text;
    int rc;

    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/session.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    text = dbot__state_read(path, &rc, err, sizeof err);
    ASSERT_TRUE(text == NULL);
    ASSERT_EQ(rc, DBOT_ENOENT);

    umask(022);
    ASSERT_EQ(dbot__state_write(path, "{\"a\":1}", err, sizeof err), 0);
    ASSERT_EQ(stat(path, &sb), 0);
    ASSERT_EQ(sb.st_mode & 0777, 0600);
    ASSERT_TRUE(access(tmp, F_OK) != 0); /* renamed, not left behind */
    /* Replaced as a whole, and a stale temporary file does not matter. */
    ASSERT_EQ(dbot__state_write(tmp, "junk", err, sizeof err), 0);
    ASSERT_EQ(dbot__state_write(path, "{\"b\":2}", err, sizeof err), 0);
    text = dbot__state_read(path, &rc, err, sizeof err);
    ASSERT_EQ(rc, 0);
    ASSERT_STREQ(text, "{\"b\":2}");
    free(text);

    ASSERT_EQ(dbot__state_remove(path), 0);
    ASSERT_EQ(dbot__state_remove(path), 0); /* already gone: fine */
    ASSERT_TRUE(access(path, F_OK) != 0);

    /* A directory in the way is an error, with a reason. */
    snprintf(path, sizeof path, "%s/nodir/session.json", dir);
    ASSERT_EQ(dbot__state_write(path, "{}", err, sizeof err), DBOT_EIO);
    ASSERT_CONTAINS(err, "No such file or directory");
    text = dbot__state_read(dir, &rc, err, sizeof err);
    ASSERT_TRUE(text == NULL);
    ASSERT_EQ(rc, DBOT_EIO);
    rmdir(dir);
}

/* The file says where the token goes: only a file this process's user
 * wrote, and nobody else can change, is believed. */
TEST(only_our_own_unshared_file_is_trusted)
{
    char dir[] = "/tmp/dbot-state-XXXXXX", path[256], fifo[256];
    struct stat sb;
    char *text;
    int rc;

    memset(&sb, 0, sizeof sb);
    sb.st_mode = S_IFREG | 0600;
    sb.st_uid = 1000;
    ASSERT_EQ(dbot__state_trusted(&sb, 1000, err, sizeof err), 0);
    sb.st_mode = S_IFREG | 0644;
    ASSERT_EQ(dbot__state_trusted(&sb, 1000, err, sizeof err), 0);
    ASSERT_EQ(dbot__state_trusted(&sb, 1001, err, sizeof err), DBOT_EINVAL);
    ASSERT_STREQ(err, "owned by uid 1000, not by this process (uid 1001); "
                      "remove it, or chown it to uid 1001");
    sb.st_mode = S_IFREG | 0620;
    ASSERT_EQ(dbot__state_trusted(&sb, 1000, err, sizeof err), DBOT_EINVAL);
    ASSERT_STREQ(err, "writable by other users (mode 0620); chmod 600 it");
    sb.st_mode = S_IFREG | 0602;
    ASSERT_EQ(dbot__state_trusted(&sb, 1000, err, sizeof err), DBOT_EINVAL);

    /* On disk: a shared file is refused, a FIFO fails at once. */
    ASSERT_TRUE(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/session.json", dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    ASSERT_EQ(dbot__state_write(path, "{}", err, sizeof err), 0);
    ASSERT_EQ(chmod(path, 0666), 0);
    text = dbot__state_read(path, &rc, err, sizeof err);
    ASSERT_TRUE(text == NULL);
    ASSERT_EQ(rc, DBOT_EINVAL);
    ASSERT_CONTAINS(err, "chmod 600 it");
    ASSERT_EQ(mkfifo(fifo, 0600), 0);
    text = dbot__state_read(fifo, &rc, err, sizeof err);
    ASSERT_TRUE(text == NULL);
    ASSERT_EQ(rc, DBOT_EIO);
    ASSERT_STREQ(err, "not a regular file (a FIFO)");
    unlink(fifo);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    RUN(round_trip);
    RUN(refusals);
    RUN(paths);
    RUN(file_io);
    RUN(only_our_own_unshared_file_is_trusted);
    return 0;
}
