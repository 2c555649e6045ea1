/*
 * replay_main.c: run a fuzz target without libFuzzer (dav1d style). Each
 * argument is a file or a directory of files, replayed once. With no
 * arguments, or after them, it also runs a fixed-seed random smoke of
 * DBOT_FUZZ_RUNS inputs (default 20000), so the test explores beyond the
 * committed corpus while staying deterministic.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int
run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int count = 0;

    if (stat(path, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return run_file(path) == 0 ? 1 : -1;
    d = opendir(path);
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char p[4096];

        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        if (run_file(p) < 0) {
            closedir(d);
            return -1;
        }
        count++;
    }
    closedir(d);
    return count;
}

int
main(int argc, char **argv)
{
    const char *env = getenv("DBOT_FUZZ_RUNS");
    long runs = env ? strtol(env, NULL, 10) : 20000;
    uint64_t x = 0x243f6a8885a308d3ull;
    uint8_t buf[512];
    int files = 0;

    for (int i = 1; i < argc; i++) {
        int n = run_path(argv[i]);

        if (n < 0) {
            fprintf(stderr, "replay: cannot read %s\n", argv[i]);
            return 1;
        }
        files += n;
    }
    for (long r = 0; r < runs; r++) {
        size_t len;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        len = (size_t)(x % sizeof buf);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[i] = (uint8_t)x;
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("replayed %d files and %ld random inputs\n", files, runs);
    return 0;
}
